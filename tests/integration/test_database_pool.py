"""The pool's check (config/database.py): no round trip for a healthy connection lent again
soon, and a connection the server closed is never lent (a restart is survived)."""

import time

import psycopg
import pytest
from django.db import connection
from psycopg_pool import ConnectionPool

from config import database

pytestmark = pytest.mark.django_db(transaction=True)


def lend():
    """One request's use of the database: a connection from the pool and back."""
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    connection.close()
    return pid


@pytest.fixture
def full_checks(monkeypatch):
    """The round-trip checks psycopg's pool makes, counted."""
    calls = []
    original = ConnectionPool.check_connection

    def counting(conn):
        calls.append(conn)
        return original(conn)

    monkeypatch.setattr(database.ConnectionPool, "check_connection", counting)
    return calls


def test_a_connection_lent_again_soon_is_not_checked_with_a_query(full_checks):
    for _ in range(4):  # each connection of the pool lent once, whatever its history
        lend()
    assert connection.pool._check is database.check_connection
    full_checks.clear()

    for _ in range(5):
        lend()

    assert full_checks == []


def test_an_idle_connection_is_checked_with_a_query(full_checks, monkeypatch):
    for _ in range(4):
        lend()
    full_checks.clear()
    monkeypatch.setattr(database, "CHECK_IDLE_SECONDS", -1)

    lend()

    assert len(full_checks) == 1


def test_connections_the_server_closed_are_not_lent(full_checks):
    """As after a PostgreSQL restart: every connection of the pool ended by the server."""
    pids = {lend() for _ in range(3)}
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        dbname=settings["NAME"],
        autocommit=True,
    ) as admin:
        ended = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    assert ended and all(row[0] for row in ended)
    time.sleep(0.2)  # the server's goodbye reaches the sockets
    full_checks.clear()

    pid = lend()  # no error: the dead ones were found out and replaced

    assert pid not in pids
    assert full_checks  # found out by their sockets, confirmed by a query
