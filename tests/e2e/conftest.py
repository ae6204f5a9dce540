"""Browser tests: Playwright (Python) drives Debian's Chromium against pytest-django's live server.

Chromium is /usr/bin/chromium or $CHROMIUM. Without one these tests skip, saying why, unless
E2E_REQUIRED=1 (CI), where a missing browser is a failure. Screenshots go to var/screenshots/.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests import factories

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}


def find_chromium():
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    executable = find_chromium()
    if executable is None:
        reason = "no Chromium found at /usr/bin/chromium or $CHROMIUM (apt-get install chromium)"
        if os.environ.get("E2E_REQUIRED") == "1":
            pytest.fail(f"E2E_REQUIRED=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
    # (creating users) are not inside it, so Django's async-safety guard must stand aside.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def phone(browser, live_server):
    """A page in a phone-sized Chinese browser, pointed at the live server."""
    context = browser.new_context(
        viewport=PHONE,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        base_url=live_server.url,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name, full_page=True):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


def sign_in(page, username, *, landing=None):
    """Sign in through the login page as a person does, with the test password; with
    `landing`, wait until the browser has arrived there (a URL pattern)."""
    page.goto("/accounts/login/")
    page.get_by_label("警号或用户名").fill(username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    if landing:
        page.wait_for_url(landing)
