"""Wrong codes, counted: after `limit` wrong ones within `window`, a wait of `window` in which
no code is even looked at. Two users: a trainee's check-in codes (sessions.services.rollcall,
per trainee) and a staff account's second-factor codes (trainees.two_factor, per account and
address).

The counts live in Django's cache: Redis when CACHE_URL is set, shared by every worker.
Without it each process counts on its own, so N workers allow N × limit wrong codes at most;
still a limit. Losing the cache forgets the counts, which only ends the waits early.

Only a wrong code writes. An attempt first asks `wait()` (one cache read); a right code goes
on from there and touches the cache no more, so a class typing the code of the moment pays one
read each. The wait is kept as the moment it ends, so that `wait()` can say how long is left
(the cache's own expiry only cleans up).
"""

import math
import time

from django.conf import settings
from django.core.cache import cache


class WrongCodes:
    """Wrong codes of one kind; `limit_setting` and `window_setting` name the settings (read
    at each call, never at import time)."""

    def __init__(self, kind, *, limit_setting, window_setting):
        self.kind = kind
        self.limit_setting = limit_setting
        self.window_setting = window_setting

    def _keys(self, key):
        return f"wrong-codes:{self.kind}:{key}", f"wrong-codes-wait:{self.kind}:{key}"

    def _window(self):
        return math.ceil(getattr(settings, self.window_setting).total_seconds())

    def wait(self, key, now=None):
        """Seconds before `key` may try a code again; 0 if it may now. One cache read."""
        now = time.time() if now is None else now
        until = cache.get(self._keys(key)[1])
        return math.ceil(until - now) if until is not None and until > now else 0

    def failed(self, key, now=None):
        """Count one wrong code of `key`; returns the wait it starts, in seconds (0 while
        under the limit). The count starts at the first wrong code and lasts `window`."""
        now = time.time() if now is None else now
        count_key, wait_key = self._keys(key)
        window = self._window()
        cache.add(count_key, 0, timeout=window)
        try:
            count = cache.incr(count_key)
        except ValueError:  # the count expired between the two calls: this one starts anew
            cache.set(count_key, 1, timeout=window)
            count = 1
        if count < getattr(settings, self.limit_setting):
            return 0
        cache.set(wait_key, now + window, timeout=window)
        cache.delete(count_key)
        return window

    def clear(self, key):
        """Forget `key`'s wrong codes and wait (after a right code, where that is rare)."""
        cache.delete_many(self._keys(key))


def minutes(seconds):
    """A wait in whole minutes, rounded up, for a message: 61 seconds is 2 minutes."""
    return math.ceil(seconds / 60)
