"""Where a form sends its user back to: the page named in its `next` field (or query
parameter), if that is a path on this site.

url_has_allowed_host_and_scheme() alone lets through any text without a scheme or host
("1e5", "NaN"), which redirect() then takes for the name of a URL pattern and fails to
reverse: a 500, after the change was made. A path starts with "/".
"""

from django.utils.http import url_has_allowed_host_and_scheme


def next_page(request, value, default):
    """`value` if it is a path on this site (not another host's, not a pattern's name), else
    `default`."""
    if (
        isinstance(value, str)
        and value.startswith("/")
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return default
