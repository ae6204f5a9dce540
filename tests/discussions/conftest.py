import pytest

from tests import factories


@pytest.fixture
def program(organizer):
    return factories.program(organizers=[organizer], code="CZ2023", title="常州市所长培训班")
