"""Every list of the API reads a fixed number of queries, whatever the size of the class."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions.models import Attendance
from tests import factories
from tests.api.conftest import TokenClient, graded
from tests.timetable.factories import activity

LISTS = [
    "/api/v1/programs",
    "/api/v1/trainees",
    "/api/v1/programs/CZ2023/roster",
    "/api/v1/programs/CZ2023/groups",
    "/api/v1/programs/CZ2023/timetable",
    "/api/v1/programs/CZ2023/attendance",
    "/api/v1/programs/CZ2023/scores",
    "/api/v1/programs/CZ2023/essays",
    "/api/v1/programs/CZ2023/completion",
    "/api/v1/trainees/320401",
]


def grow(world, units, count):
    """`count` more chiefs of 儒林 in CZ2023 (graded, present at an ended lecture), each in a
    program of their own too, and one more group, lecture and program."""
    program = world["program"]
    group = factories.group(program)
    lecture = activity(program, speakers=[], title="讲座")
    for _ in range(count):
        trainee = factories.trainee(unit=units["rulin"], with_login=False)
        enrollment = factories.enrollment(program, trainee, group=group)
        graded(world["entry"], enrollment, 60)
        graded(world["graduation"], enrollment, 80)
        Attendance.objects.create(activity=lecture, enrollment=enrollment, status="present")
        factories.enrollment(factories.program(bureau=units["jintan"]), trainee)
    factories.enrollment(factories.program(bureau=units["jintan"]), world["rulin_a"])


@pytest.mark.parametrize("path", LISTS)
def test_list_queries_do_not_grow_with_the_class(world, api_client, units, path):
    _client, token = api_client(units["jintan"])
    caller = TokenClient(token)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = caller.get(path)
        assert response.status_code == 200, response.content
        return len(captured), response.json()

    grow(world, units, 1)
    small, _body = queries()
    grow(world, units, 4)
    large, body = queries()

    assert body.get("count", 1) > 0
    assert small == large, path
