"""The API's world: the city bureau 常州市公安局 with two branches, 金坛分局 (儒林派出所) and
武进分局 (湖塘派出所); program CZ2023, organized by 金坛分局, with two chiefs of 儒林 and one of
湖塘, its entry and graduation exams graded; program WJ2023, organized by 武进分局, with the
湖塘 chief only. Clients are made with `api_client(unit, access)`: (the ApiClient, its token)."""

from datetime import date

import pytest
from django.test import Client

from api.models import ApiClient
from api.services import client_token_issue
from exams.models import Attempt, Exam
from tests import factories
from tests.exams.factories import exam


@pytest.fixture
def units(db):
    return factories.city_units()


def graded(exam_, enrollment, score):
    return Attempt.objects.create(
        exam=exam_, enrollment=enrollment, status=Attempt.Status.GRADED, score=score
    )


@pytest.fixture
def world(units, organizer):
    program = factories.program(
        organizers=[organizer], code="CZ2023", bureau=units["jintan"], start_date=date(2023, 5, 8)
    )
    other = factories.program(code="WJ2023", bureau=units["wujin"], start_date=date(2023, 9, 4))
    group = factories.group(program, number=1)
    rulin_a = factories.trainee("320401", name="龚定俊", unit=units["rulin"], phone="13912345678")
    rulin_b = factories.trainee("320402", name="王建国", unit=units["rulin"])
    hutang = factories.trainee("320499", name="湖塘所长", unit=units["hutang"])
    enrollments = [
        factories.enrollment(program, trainee, group=group)
        for trainee in (rulin_a, rulin_b, hutang)
    ]
    factories.enrollment(other, hutang)
    entry = exam(program, kind=Exam.Kind.ENTRY, title="入学摸底考试")
    graduation = exam(program, kind=Exam.Kind.GRADUATION, title="结业考试")
    scores = [(60, 85), (70, 72), (50, 90)]
    for enrollment, (before, after) in zip(enrollments, scores, strict=True):
        graded(entry, enrollment, before)
        graded(graduation, enrollment, after)
    return {
        "program": program,
        "other": other,
        "rulin_a": rulin_a,
        "rulin_b": rulin_b,
        "hutang": hutang,
        "enrollments": enrollments,
        "entry": entry,
        "graduation": graduation,
    }


@pytest.fixture
def api_client(db):
    def make(unit, access=ApiClient.Access.READ, name=None):
        client = ApiClient(name=name or f"{unit.name}人事系统-{access}", unit=unit, access=access)
        token = client_token_issue(client=client)
        return client, token

    return make


class TokenClient(Client):
    """Django's test client with a bearer token on every request."""

    def __init__(self, token, **defaults):
        super().__init__(HTTP_AUTHORIZATION=f"Bearer {token}", **defaults)


@pytest.fixture
def call(api_client):
    """call(token).get("/api/v1/…"): a test client that sends the token."""
    return TokenClient
