from io import StringIO

import pytest
from django.core.management import call_command

from demo import data
from tests.conftest import login
from trainees.models import Enrollment, Program, Trainee

pytestmark = pytest.mark.django_db


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_prints_logins_that_work(client):
    printed = seed()

    for username, start_page in [
        ("organizer", "/trainees/programs/"),
        ("leader", "/exams/dashboard/"),
        ("320401", "/timetable/my-day/"),
    ]:
        assert username in printed
        response = login(client, username, data.DEMO_PASSWORD)
        assert response.redirect_chain[-1] == (start_page, 302), username
        client.logout()
    assert data.DEMO_PASSWORD in printed


def test_seed_demo_twice_changes_nothing_more():
    seed()
    counts = (Program.objects.count(), Trainee.objects.count(), Enrollment.objects.count())

    seed()

    assert (Program.objects.count(), Trainee.objects.count(), Enrollment.objects.count()) == counts
    assert counts == (1, len(data.TRAINEES), len(data.TRAINEES))
    assert Trainee.objects.get(police_id="320401").unit.parent.name == "溧阳市公安局"
