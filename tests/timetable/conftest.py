import pytest

from tests import factories


@pytest.fixture
def zhoukou(organizer):
    """A Zhoukou-style course (ZK2026) of `organizer`: 8 groups, group N hosted by 主持人N, and
    a daily routine from 06:30 wake-up to 22:00 lights-out."""
    program = factories.program(
        organizers=[organizer], code="ZK2026", daily_routine="06:30 起床\n22:00 就寝"
    )
    for number in range(1, 9):
        factories.group(program, number=number, host_name=f"主持人{number}")
    return program
