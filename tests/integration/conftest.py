"""Integration tests need the real services: PostgreSQL (DATABASE_URL) and Redis
(CELERY_BROKER_URL). Without them they skip, saying why, unless INTEGRATION_REQUIRED=1
(CI), where a missing service is a failure."""

import os

import pytest
from django.conf import settings


def pytest_collection_modifyitems(items):
    for item in items:
        if "/integration/" in item.nodeid:
            item.add_marker(pytest.mark.integration)
            # One xdist process runs them all, one after the other: they share the Redis
            # broker's default queue and start Celery workers on it.
            item.add_marker(pytest.mark.xdist_group("services"))


@pytest.fixture(autouse=True)
def _require_services():
    missing = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing.append("DATABASE_URL does not point at PostgreSQL")
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
        missing.append("CELERY_BROKER_URL does not point at Redis")
    if missing:
        reason = "; ".join(missing)
        if os.environ.get("INTEGRATION_REQUIRED") == "1":
            pytest.fail(f"INTEGRATION_REQUIRED=1 but {reason}", pytrace=False)
        pytest.skip(reason)
