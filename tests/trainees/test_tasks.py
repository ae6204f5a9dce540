from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from trainees.tasks import clear_expired_login_sessions

pytestmark = pytest.mark.django_db


def make_session(expires_in):
    store = SessionStore()
    store.set_expiry(expires_in)
    store.create()
    return store.session_key


def test_clear_expired_login_sessions_keeps_live_ones_and_is_idempotent():
    live = make_session(timedelta(hours=1))
    make_session(timedelta(seconds=-60))
    make_session(timedelta(days=-3))

    first = clear_expired_login_sessions()
    second = clear_expired_login_sessions()

    assert (first, second) == (2, 0)
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
    assert Session.objects.get().expire_date > timezone.now()
