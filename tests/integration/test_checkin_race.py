"""Two check-ins of one trainee at the same moment make one record (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from sessions.models import Attendance
from sessions.services.rollcall import CheckInRefused, check_in, code_for, step_of
from tests import factories
from tests.timetable.factories import activity

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_check_ins_make_one_record():
    program = factories.program(code="RACE")
    lecture = activity(program, start="08:30", end="10:00")
    trainee = factories.trainee()
    factories.enrollment(program, trainee)
    moment = lecture.starts_at
    code = code_for(lecture, step_of(moment))
    barrier = threading.Barrier(2)
    outcomes = []

    def phone(device):
        try:
            barrier.wait()
            check_in(code=code, user=trainee.user, device=device, now=moment)
            outcomes.append("checked in")
        except CheckInRefused as refusal:
            outcomes.append(str(refusal))
        finally:
            connection.close()

    threads = [threading.Thread(target=phone, args=(d,)) for d in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("checked in") == 1
    assert Attendance.objects.filter(activity=lecture).count() == 1
