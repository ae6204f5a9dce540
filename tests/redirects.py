"""Addresses a ?next= (or a Referer) may carry to lead a browser off the site, and the check
that a Location the app answered with stays on it."""

OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "/\t/evil.example/",
    " //evil.example/",
    "https:evil.example/",
    "http:/\\evil.example/",
    "https://testserver@evil.example/",
    "javascript:alert(document.domain)",
    "/%2F%2Fevil.example/",
]


def stays_on_site(location):
    """A Location the browser resolves to this site: a path, not a scheme or another host."""
    return (
        location.startswith("/")
        and not location.startswith(("//", "/\\"))
        and "\\" not in location
        and "\t" not in location
    )
