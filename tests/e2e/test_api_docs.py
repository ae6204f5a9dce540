"""The API's docs page (/api/v1/docs, Swagger UI) in Chromium: it shows the operations under
the site's Content-Security-Policy and asks nothing of another host."""

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_from_this_host_only(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    hosts, refused = set(), []
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    page.goto("/api/v1/docs")
    page.get_by_text("/api/v1/programs/{code}/scores").wait_for()

    assert hosts == {urlsplit(live_server.url).netloc}
    assert refused == []
    context.close()
