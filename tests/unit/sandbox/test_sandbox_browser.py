from __future__ import annotations

import typing as t

import pytest
from flask import Flask
from flask import request

from plugin.sandbox.browser import BrowserError
from plugin.sandbox.browser import SandboxBrowser
from plugin.sandbox.browser import parse_forms
from plugin.sandbox.server import serve_app

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from plugin.sandbox.lms import SandboxCourse
    from plugin.sandbox.lms import SandboxLms
    from plugin.sandbox.server import ServedApp
    from tests.unit.sandbox.tooldouble import ToolDouble

LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def test_run_launch_walks_login_auth_and_launch(
    lms: SandboxLms,
    tool: ToolDouble,
    registration: dict[str, t.Any],
    course: SandboxCourse,
    launch_for: t.Callable[..., dict[str, t.Any]],
) -> None:
    browser = SandboxBrowser()
    final = browser.run_launch(launch_for()["login_initiation"])
    assert final.status_code == 200, final.text
    claims = final.json()["claims"]
    assert claims["sub"] == course.learner_id
    assert claims[LTI + "resource_link"]["id"] == course.resource_link_id
    assert browser.session.cookies.get("tool_state")


def test_a_tampered_launch_reaches_the_tool_and_is_refused_there(
    tool: ToolDouble, launch_for: t.Callable[..., dict[str, t.Any]]
) -> None:
    final = SandboxBrowser().run_launch(launch_for(tamper="wrong_aud")["login_initiation"])
    assert final.status_code == 401
    assert "audience" in final.json()["error"].lower()


def test_lms_start_page_leads_to_the_same_launch(
    lms: SandboxLms,
    tool: ToolDouble,
    course: SandboxCourse,
    launch_for: t.Callable[..., dict[str, t.Any]],
) -> None:
    browser = SandboxBrowser()
    start_page = browser.get(launch_for(user_id=course.instructor_id)["start_url"])
    auth_page = browser.submit_first_form(start_page)
    assert auth_page.url.startswith(lms.url + "/auth?")
    final = browser.submit_first_form(auth_page)
    assert final.json()["claims"]["sub"] == course.instructor_id


PAGE = """
<html><body>
<form action="/next" method="post">
  <input type="hidden" name="a" value="1">
  <input name="b" value="two">
  <input type="checkbox" name="unchecked" value="x">
  <input type="checkbox" name="checked" value="y" checked>
  <input type="submit" name="go" value="Go">
  <textarea name="note">hello &amp; bye</textarea>
</form>
<form action="/other" data-autosubmit><input type="hidden" name="z" value="9"></form>
</body></html>
"""


def test_parse_forms_reads_what_a_browser_would_submit() -> None:
    forms, script_submits = parse_forms(PAGE)
    assert not script_submits
    first, second = forms
    assert (first.action, first.method, first.autosubmit) == ("/next", "POST", False)
    assert first.fields == [("a", "1"), ("b", "two"), ("checked", "y"), ("note", "hello & bye")]
    assert (second.method, second.autosubmit, second.fields) == ("GET", True, [("z", "9")])


@pytest.fixture
def echo() -> Iterator[ServedApp]:
    app = Flask("echo")
    app.add_url_rule("/page", "page", lambda: PAGE)
    app.add_url_rule("/plain", "plain", lambda: "no forms here")

    def record() -> dict[str, t.Any]:
        return {"method": request.method, "values": request.values.to_dict()}

    app.add_url_rule("/next", "next", record, methods=["POST"])
    app.add_url_rule("/other", "other", record)
    with serve_app(app) as served:
        yield served


def test_submit_first_form_posts_relative_action(echo: ServedApp) -> None:
    browser = SandboxBrowser()
    answer = browser.submit_first_form(browser.get(echo.url + "/page")).json()
    assert answer == {
        "method": "POST",
        "values": {"a": "1", "b": "two", "checked": "y", "note": "hello & bye"},
    }


def test_run_launch_submits_marked_forms_by_get(echo: ServedApp) -> None:
    final = SandboxBrowser().run_launch({"url": echo.url + "/page", "method": "GET", "params": {}})
    assert final.json() == {"method": "GET", "values": {"z": "9"}}


def test_submit_first_form_needs_a_form(echo: ServedApp) -> None:
    browser = SandboxBrowser()
    with pytest.raises(BrowserError):
        browser.submit_first_form(browser.get(echo.url + "/plain"))


def test_endless_autosubmit_is_cut_short() -> None:
    loop = Flask("loop")
    loop.add_url_rule(
        "/",
        "loop",
        lambda: '<form action="/" method="post" data-autosubmit></form>',
        methods=["GET", "POST"],
    )
    with serve_app(loop) as served, pytest.raises(BrowserError):
        SandboxBrowser().run_launch({"url": served.url + "/", "params": {}})
