"""The check psycopg's pool runs on a connection before it lends it (settings.DATABASES).

psycopg's own check (ConnectionPool.check_connection) sends an empty query: a round trip to
PostgreSQL before every request's first query, the price of surviving a restart. This one
asks the operating system instead, which costs no round trip: a healthy idle connection has
nothing to read, while one whose server went away (a restart, pg_terminate_backend, a
failover) has the server's goodbye or the end of the stream waiting on its socket. Only then,
or when the connection has not been lent for CHECK_IDLE_SECONDS (a network that dropped it
without a word shows nothing on the socket), does it send psycopg's empty query; a
connection that fails it is thrown away by the pool, which lends another.

Django passes the pool psycopg's check when CONN_HEALTH_CHECKS is on and none otherwise, with
no way to name another: settings turn it off and import this module, which gives each pool
this check as its first connection is made (connection_created).
"""

import select
import time
import weakref

from django.db.backends.signals import connection_created
from psycopg_pool import ConnectionPool

# A connection idle longer than this gets psycopg's full check (a round trip).
CHECK_IDLE_SECONDS = 30

_lent_at = weakref.WeakKeyDictionary()  # connection → when the pool last lent it


def check_connection(conn):
    """Raise if `conn` is broken (the pool then discards it); a round trip only when its socket
    has something to say or it has been idle for CHECK_IDLE_SECONDS."""
    now = time.monotonic()
    idle = now - _lent_at.get(conn, float("-inf"))
    if idle > CHECK_IDLE_SECONDS or socket_readable(conn):
        ConnectionPool.check_connection(conn)
    _lent_at[conn] = now


def socket_readable(conn):
    """Whether the server has sent something on an idle connection: an error before it closed
    it, or the end of the stream (a closed connection is "readable" too)."""
    if conn.closed:
        return True
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


def use_check(sender, connection, **kwargs):
    """Give the pool of a PostgreSQL connection (if it has one) this module's check."""
    pool = getattr(connection, "pool", None)
    if pool is not None and pool._check is not check_connection:
        pool._check = check_connection


connection_created.connect(use_check, dispatch_uid="config.database.use_check")
