"""Calls made at the same moment, as two phones or two tabs of one trainee make them: each in
its own thread (its own database connection), released together."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection
from django.test import Client


def at_once(*calls):
    """What each call returned, in order. A call that raised makes this raise its exception,
    so a thread that crashed fails the test: a call catches the refusals it expects itself."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait(timeout=30)
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
    return [future.result() for future in futures]


def signed_in(user):
    """A browser of `user`'s, asking for English (the tests compare the msgids)."""
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client
