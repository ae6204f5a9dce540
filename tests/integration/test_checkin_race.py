"""Two phones of one trainee check in at the same moment (PostgreSQL): one record, and both
phones get an answer: one is checked in, the other is told it already is."""

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from sessions.models import Attendance
from sessions.services.rollcall import CheckInRefused, check_in, code_for, step_of
from tests import factories
from tests.integration.races import at_once
from tests.timetable.factories import activity

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("repeat", range(3))
def test_two_concurrent_check_ins_make_one_record_and_both_phones_hear_back(repeat):
    program = factories.program(code="RACE")
    lecture = activity(program, start="08:30", end="10:00")
    trainee = factories.trainee()
    factories.enrollment(program, trainee)
    moment = lecture.starts_at
    code = code_for(lecture, step_of(moment))

    def phone(device):
        with translation.override("en"):
            try:
                check_in(code=code, user=trainee.user, device=device, now=moment)
            except CheckInRefused as refusal:
                return str(refusal)
            return "checked in"

    outcomes = at_once(lambda: phone("a"), lambda: phone("b"))

    with translation.override("en"):
        already = _("You are already checked in for %(title)s.") % {"title": lecture}
    assert sorted(outcomes) == sorted(["checked in", already])
    assert Attendance.objects.filter(activity=lecture).count() == 1
