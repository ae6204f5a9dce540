"""Text as the app stores it: without the control characters that no person types, that break
an .xlsx file (XML 1.0 cannot hold them) and that hide what a name really is.

Every way text comes in (the imports' reader, every form, the autosaves) drops them before
saving; the one .xlsx writer drops them again on the way out, for data stored before.
"""

import re

# C0 controls but tab and line breaks, DEL and the C1 controls, lone surrogates (not text at
# all: they cannot be encoded), and the two non-characters XML refuses.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def without_control(text):
    """`text` without control characters; tabs and line breaks stay (a textarea has them)."""
    return CONTROL.sub("", text)


# The largest value of the database's integer (PostgreSQL's integer, which ids and counts are).
MOST = 2_147_483_647


def whole_number(value, most=MOST):
    """A whole number that came in as text (a query parameter, a form field, an id): its value
    if it is written in ASCII digits (int() also reads "²", "٣" and " 3") and at most `most`
    (a database integer's largest by default; int() refuses more than 4,300 digits), else
    None."""
    value = str(value)
    if not (value.isascii() and value.isdigit()) or len(value) > len(str(most)):
        return None
    number = int(value)
    return number if number <= most else None
