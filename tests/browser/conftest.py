"""A real browser (Debian's chromium driven by Playwright) on the end-to-end setup.

Playwright never downloads a browser here: the tests launch ``/usr/bin/chromium``
(``apt-get install chromium``; ``.ci/run`` does it).  One browser per test process, a
fresh context and page per test.  The sandbox LMS, the tool and the simulators are the
fixtures of ``tests/e2e``.
"""

from __future__ import annotations

import os
import typing as t

import pytest

from tests.e2e.conftest import course  # noqa: F401 - fixtures shared with tests/e2e
from tests.e2e.conftest import lms  # noqa: F401
from tests.e2e.conftest import lms_profile  # noqa: F401
from tests.e2e.conftest import registration  # noqa: F401
from tests.e2e.conftest import serve  # noqa: F401
from tests.e2e.conftest import tool  # noqa: F401
from tests.e2e.conftest import tool_settings  # noqa: F401

if t.TYPE_CHECKING:
    from playwright.sync_api import Browser
    from playwright.sync_api import Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # The player page is replayed into the browser (no address of its own), so chromium
    # would count it public and refuse its requests to the simulators on 127.0.0.1.
    "--disable-features=LocalNetworkAccessChecks",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> t.Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> t.Iterator[Page]:
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()
