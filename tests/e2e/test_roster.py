import pytest

from tests import factories, rosters
from tests.e2e.conftest import sign_in
from trainees.models import Enrollment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_organizer_imports_a_roster_splits_groups_and_reads_it_on_a_phone(
    phone, screenshot, tmp_path
):
    organizer = factories.user("organizer", username="jiaowu")
    factories.program(organizers=[organizer], code="ZK2013", title="周口市派出所所长培训班")
    roster = tmp_path / "名册.xlsx"
    roster.write_bytes(rosters.xlsx(rosters.rows(220)))
    sign_in(phone, "jiaowu")
    phone.get_by_role("link", name="周口市派出所所长培训班").click()

    phone.get_by_role("link", name="导入名册").first.click()
    phone.get_by_label("名册文件").set_input_files(str(roster))
    phone.get_by_role("button", name="检查文件").click()
    assert phone.get_by_text("220 人新增，0 人更新，0 人不变").is_visible()
    screenshot(phone, "roster-import-preview-phone", full_page=False)
    phone.get_by_role("button", name="确认导入").click()
    assert phone.get_by_text("名册已导入：220 人新增").is_visible()

    phone.get_by_role("link", name="分组", exact=True).click()
    phone.get_by_label("分组数").fill("5")
    phone.get_by_role("button", name="建立", exact=True).click()
    phone.get_by_role("button", name="自动分组").click()
    assert phone.get_by_text("220 名学员已分到各组。").is_visible()
    screenshot(phone, "groups-phone")
    phone.get_by_role("link", name="名册", exact=True).click()
    screenshot(phone, "roster-phone", full_page=False)

    assert Enrollment.objects.filter(group__isnull=True).count() == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
