"""API tokens: `jx_<prefix>_<secret>`. The prefix (public, unique) finds the client; only the
SHA-256 of the whole token is stored, and compared in constant time. The secret has 256 bits
of entropy, so a plain hash (no salt, no stretching) is enough: nothing is to be guessed."""

import hashlib
import hmac
import secrets

PREFIX_BYTES = 6  # 8 characters
SECRET_BYTES = 32  # 43 characters


def token_digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def new_token():
    """(the token, its prefix, its digest): the token is given to the administrator once."""
    prefix = secrets.token_urlsafe(PREFIX_BYTES).replace("_", "x").replace("-", "y")
    token = f"jx_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    return token, prefix, token_digest(token)


def token_prefix(token):
    """The prefix of a well-formed token, else None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != "jx" or not parts[1] or not parts[2]:
        return None
    return parts[1]


def token_matches(token, digest):
    return hmac.compare_digest(token_digest(token), digest)
