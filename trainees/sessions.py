"""The session engine with CACHE_URL: Django's cached_db, with the signed-in account read in
the same round trip to the cache as the session.

Each signed-in request reads two cache entries, one after the other: the session, which
names the account, then the account (trainees.backends.ModelBackend). On a small server
each round trip to Redis costs about as much as Django's whole bare request. Here the key of
a signed-in session ends with its account's id ("<30 random characters>-<id>"), given at the
sign-in (account_signed_in cycles the key once the session names its account) and at every
later change of key (a new password: update_session_auth_hash). Loading such a session reads
both entries with one MGET, and leaves the account's entry for the backend's get_user of
this request (`prefetched_account`).

The id in the key is only a hint for what to read along. The account still comes from the
session's own _auth_user_id: the entry read along is kept only when the session names that
id, the backend takes it only for that very id (and reads it otherwise), once, and whatever
nobody took (a directory session's: its backend is Django's) is dropped when the request
ends. A forged cookie names no session (the key is the whole random string) and signs
nobody in. The entry is what a GET would have read a moment later, checked
as that one is (Django compares the session's password hash with the account's). Sessions
signed in before this engine keep working: their keys carry no id, and they read the two
entries one after the other.
"""

from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import cached_db
from django.core.cache import caches
from django.core.signals import request_finished
from django.utils.crypto import get_random_string

# The account's cache entry read with this request's session: (cache key, entry or None).
PREFETCHED = ContextVar("trainees.sessions.prefetched", default=None)

KEY_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789"
RANDOM_LENGTH = 30  # 155 bits; with "-" and an id of up to 9 digits, within the column's 40


def user_cache_key(user_id):
    """The key of an account's entry in the cache (trainees.backends.ModelBackend's)."""
    return f"trainees:user:{user_id}"


def prefetched_account(key):
    """(key, its entry) if this request's session read cache key `key` along (the entry
    None: the cache has none), or None if it did not; used once: gone after this call."""
    found = PREFETCHED.get()
    PREFETCHED.set(None)
    if found is not None and found[0] == key:
        return found
    return None


def account_id_of(session_key):
    """The account id a session key ends with, or None."""
    if not session_key or len(session_key) <= RANDOM_LENGTH + 1:
        return None
    if session_key[RANDOM_LENGTH] != "-":
        return None
    tail = session_key[RANDOM_LENGTH + 1 :]
    return int(tail) if tail.isascii() and tail.isdigit() and len(tail) <= 9 else None


def forget_prefetched(**kwargs):
    """An entry nothing took (a directory session's, a dead key's) ends with its request."""
    PREFETCHED.set(None)


request_finished.connect(forget_prefetched, dispatch_uid="trainees.sessions.prefetched")


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        PREFETCHED.set(None)  # nothing read along before this request's session

    def _new_key(self):
        """A random key, ending with the account's id once the session names one."""
        account = str(getattr(self, "_session_cache", {}).get(SESSION_KEY, ""))
        suffix = f"-{account}" if account.isascii() and account.isdigit() else ""
        if len(suffix) > 10:  # an id of more than 9 digits: the key would not fit the column
            suffix = ""
        return get_random_string(RANDOM_LENGTH, KEY_CHARACTERS) + suffix

    def _get_new_session_key(self):
        while True:
            key = self._new_key()
            if not self.exists(key):
                return key

    async def _aget_new_session_key(self):
        """As _get_new_session_key (alogin, acycle_key)."""
        while True:
            key = self._new_key()
            if not await self.aexists(key):
                return key

    def load(self):
        account = account_id_of(self.session_key)
        if account is None or settings.SESSION_CACHE_ALIAS != "default":
            return super().load()
        account_key = user_cache_key(account)
        try:
            found = caches["default"].get_many([self.cache_key, account_key])
        except Exception:
            return super().load()
        data = found.get(self.cache_key)
        if data is None:
            return super().load()  # from the database, and put back into the cache
        if str(data.get(SESSION_KEY)) == str(account):  # else nobody's to read in this request
            PREFETCHED.set((account_key, found.get(account_key)))
        return data
