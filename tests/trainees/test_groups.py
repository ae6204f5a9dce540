import math
from collections import Counter
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import factories
from trainees.models import Enrollment
from trainees.services.enrollments import enrollment_move
from trainees.services.groups import groups_create, groups_split, split_plan


@dataclass(frozen=True)
class FakeUnit:
    pk: int
    parent_id: int | None


@dataclass(frozen=True)
class FakeTrainee:
    police_id: str
    unit: FakeUnit


@dataclass(frozen=True)
class FakeEnrollment:
    trainee: FakeTrainee


rosters = st.lists(st.integers(min_value=1, max_value=12), min_size=0, max_size=240)


@settings(max_examples=300, deadline=None)
@given(parents=rosters, group_count=st.integers(min_value=1, max_value=12))
def test_split_plan_balances_sizes_and_spreads_each_parent_unit(parents, group_count):
    enrollments = [
        FakeEnrollment(FakeTrainee(f"{n:06d}", FakeUnit(pk=1000 + n, parent_id=parent)))
        for n, parent in enumerate(parents)
    ]
    groups = list(range(group_count))

    assignment = split_plan(enrollments, groups)

    assert set(assignment) == set(enrollments)
    sizes = Counter(assignment.values())
    counts = [sizes.get(group, 0) for group in groups]
    assert max(counts) - min(counts) <= 1
    per_parent = Counter((e.trainee.unit.parent_id, g) for e, g in assignment.items())
    parent_totals = Counter(parents)
    for (parent, _group), count in per_parent.items():
        assert count <= math.ceil(parent_totals[parent] / group_count)


@pytest.mark.django_db
def test_groups_split_places_every_active_trainee_and_skips_the_withdrawn():
    program = factories.program()
    groups_create(program=program, count=5)
    bureaus = [factories.unit(name=f"分局{i}", kind="branch") for i in range(3)]
    for n in range(47):
        station = factories.unit(parent=bureaus[n % 3])
        factories.enrollment(program, factories.trainee(unit=station, with_login=False))
    withdrawn = factories.enrollment(program, status=Enrollment.Status.WITHDRAWN)

    groups_split(program=program)

    sizes = sorted(g.enrollments.filter(status="active").count() for g in program.groups.all())
    assert sizes == [9, 9, 9, 10, 10]
    withdrawn.refresh_from_db()
    assert withdrawn.group is None


@pytest.mark.django_db
def test_groups_create_numbers_from_one_and_keeps_existing():
    program = factories.program()
    factories.group(program, number=1, host_name="于贵平")

    groups_create(program=program, count=3)

    assert list(program.groups.values_list("number", "host_name")) == [
        (1, "于贵平"),
        (2, ""),
        (3, ""),
    ]


@pytest.mark.django_db
def test_enrollment_move_refuses_a_group_of_another_program():
    program, other = factories.program(), factories.program()
    enrollment = factories.enrollment(program)

    with pytest.raises(ValueError, match="另一个培训班"):
        enrollment_move(enrollment=enrollment, group=factories.group(other, number=1))
