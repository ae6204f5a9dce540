"""The markers of a page rendered once for many readers (trainees.pages): where each reader's
own value goes. A marker is a NUL, this process's random nonce, a name and a NUL: text stored
in the database (a NUL kept from before the control characters were dropped, or the text of a
marker) cannot make one, so a page holds no marker but those its template put there."""

import re
import secrets

NONCE = secrets.token_hex(8)
MARKER = re.compile(f"\x00{NONCE}:[^\x00]*\x00")


def marker(name):
    return f"\x00{NONCE}:{name}\x00"
