"""Pages stay inside a 320 px wide screen (a phone, or a narrow LMS frame): long URLs and
commands wrap instead of pushing the page sideways."""

from __future__ import annotations

import typing as t

if t.TYPE_CHECKING:
    from playwright.sync_api import Browser

    from tests.e2e.conftest import RunningTool


def test_the_tool_configuration_page_fits_a_320_px_screen(
    browser: Browser, tool: RunningTool
) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        page.goto(f"{tool.url}/lti/config")
        assert page.locator("h1").inner_text().startswith("Register Assessment Bridge")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        context.close()
