"""One test per attack on the launch; each is refused and leaves the store untouched."""

from __future__ import annotations

import typing as t

import pytest
from sqlalchemy import func
from sqlalchemy import select

from plugin.sandbox.browser import SandboxBrowser
from plugin.sandbox.browser import autosubmit_form
from plugin.sandbox.lms import SandboxCourse
from plugin.sandbox.lms import SandboxLms
from plugin.services import services
from plugin.store.models import Attempt
from plugin.store.models import LtiContext
from plugin.store.models import LtiUser
from plugin.store.models import ResourceLink
from tests.e2e.conftest import Registration
from tests.e2e.conftest import RunningTool
from tests.e2e.conftest import launch_as

pytestmark = pytest.mark.e2e


def stored_rows(tool: RunningTool) -> tuple[int, int, int]:
    with services(tool.app).sessions() as session:
        return (
            session.scalar(select(func.count(LtiUser.id))) or 0,
            session.scalar(select(func.count(LtiContext.id))) or 0,
            session.scalar(select(func.count(ResourceLink.id))) or 0,
        )


@pytest.mark.parametrize(
    ("tamper", "code", "status"),
    [
        ("bad_signature", "bad_signature", 401),
        ("alg_none", "bad_algorithm", 401),
        ("hs256_public_key", "bad_algorithm", 401),
        ("wrong_aud", "registration_mismatch", 401),
        ("wrong_iss", "registration_mismatch", 401),
        ("expired", "expired", 401),
        ("unknown_kid", "unknown_kid", 401),
        ("wrong_azp", "wrong_azp", 401),
        ("future_iat", "not_yet_valid", 401),
        ("missing_claims", "missing_claim", 400),
    ],
)
def test_tampered_id_token_is_refused(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    tamper: str,
    code: str,
    status: int,
) -> None:
    page = launch_as(lms, registration, course, course.learner_id, tamper=tamper)
    assert page.status_code == status, page.text
    assert f"<code>{code}</code>" in page.text
    assert "error id" in page.text
    assert stored_rows(tool) == (0, 0, 0)


@pytest.mark.parametrize(
    ("removed", "message"),
    [
        (["sub"], "Must have a user"),
        (["https://purl.imsglobal.org/spec/lti/claim/roles"], "Missing Roles Claim"),
        (["https://purl.imsglobal.org/spec/lti/claim/resource_link"], "Resource Link"),
        (["https://purl.imsglobal.org/spec/lti/claim/version"], "version"),
        (["nonce"], "nonce"),
    ],
)
def test_missing_required_claims_are_named(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    removed: list[str],
    message: str,
) -> None:
    page = launch_as(
        lms, registration, course, course.learner_id, tamper="missing_claims", remove_claims=removed
    )
    assert page.status_code in (400, 401), page.text
    assert message in page.text
    assert stored_rows(tool) == (0, 0, 0)


def _stop_before_launch(
    lms: SandboxLms, registration: Registration, course: SandboxCourse, browser: SandboxBrowser
) -> tuple[str, dict[str, str]]:
    """Do the login and the platform's authorization, return the form the browser would post."""
    prepared = lms.launch(
        client_id=registration.client_id,
        user_id=course.learner_id,
        context_id=course.context_id,
        resource_link_id=course.resource_link_id,
    )
    initiation = prepared["login_initiation"]
    auth_page = browser.post(initiation["url"], data=initiation["params"])
    form = autosubmit_form(auth_page)
    assert form is not None, auth_page.text
    return form.action, dict(form.fields)


def test_replayed_id_token_in_the_same_browser_is_refused(
    lms: SandboxLms, tool: RunningTool, registration: Registration, course: SandboxCourse
) -> None:
    browser = SandboxBrowser()
    action, fields = _stop_before_launch(lms, registration, course, browser)
    assert browser.post(action, data=fields).status_code == 200
    before = stored_rows(tool)
    replay = browser.post(action, data=fields)
    assert replay.status_code == 401
    assert "<code>unknown_state</code>" in replay.text
    assert stored_rows(tool) == before


def test_replayed_id_token_in_another_browser_is_refused(
    lms: SandboxLms, tool: RunningTool, registration: Registration, course: SandboxCourse
) -> None:
    victim = SandboxBrowser()
    action, fields = _stop_before_launch(lms, registration, course, victim)
    assert victim.post(action, data=fields).status_code == 200
    replay = SandboxBrowser().post(action, data=fields, headers={"Accept": "application/json"})
    assert replay.status_code == 401
    assert replay.json()["error"] == "unknown_state"


def test_stolen_form_used_first_in_another_browser_is_refused_and_the_victim_still_launches(
    lms: SandboxLms, tool: RunningTool, registration: Registration, course: SandboxCourse
) -> None:
    victim = SandboxBrowser()
    action, fields = _stop_before_launch(lms, registration, course, victim)
    attacker = SandboxBrowser().post(action, data=fields)
    assert attacker.status_code == 401 and "<code>cookies_blocked</code>" in attacker.text
    assert stored_rows(tool) == (0, 0, 0)
    assert victim.post(action, data=fields).status_code == 200


def test_missing_state_is_refused(
    lms: SandboxLms, tool: RunningTool, registration: Registration, course: SandboxCourse
) -> None:
    browser = SandboxBrowser()
    action, fields = _stop_before_launch(lms, registration, course, browser)
    del fields["state"]
    page = browser.post(action, data=fields)
    assert page.status_code == 400 and "<code>missing_state</code>" in page.text


def test_mismatched_state_is_refused(
    lms: SandboxLms, tool: RunningTool, registration: Registration, course: SandboxCourse
) -> None:
    browser = SandboxBrowser()
    _, first = _stop_before_launch(lms, registration, course, browser)
    action, second = _stop_before_launch(lms, registration, course, browser)
    # The id_token of the first login with the state of the second: the nonce does not match.
    page = browser.post(action, data={"id_token": first["id_token"], "state": second["state"]})
    assert page.status_code == 401 and "<code>bad_nonce</code>" in page.text
    # A state this browser never received a cookie for.
    stranger = SandboxBrowser()
    action3, third = _stop_before_launch(lms, registration, course, stranger)
    page = browser.post(action3, data=third)
    assert page.status_code == 401 and "<code>cookies_blocked</code>" in page.text
    assert stored_rows(tool) == (0, 0, 0)


def test_cookie_for_another_state_is_a_mismatch(
    lms: SandboxLms, tool: RunningTool, registration: Registration, course: SandboxCourse
) -> None:
    browser = SandboxBrowser()
    action, fields = _stop_before_launch(lms, registration, course, browser)
    browser.session.cookies.clear()
    browser.session.cookies.set(f"lti1p3-{fields['state']}", "state-forged")
    page = browser.post(action, data=fields)
    assert page.status_code == 401 and "<code>state_mismatch</code>" in page.text


def test_refusals_answer_json_to_api_clients(
    lms: SandboxLms, tool: RunningTool, registration: Registration, course: SandboxCourse
) -> None:
    browser = SandboxBrowser()
    action, fields = _stop_before_launch(lms, registration, course, browser)
    fields["id_token"] = fields["id_token"][:-4] + "AAAA"
    page = browser.post(action, data=fields, headers={"Accept": "application/json"})
    body: dict[str, t.Any] = page.json()
    assert page.status_code == 401
    assert body["error"] == "bad_signature" and len(body["error_id"]) == 12


@pytest.mark.parametrize("value", ["²", "1" * 30, "-1", "1.0", " 1"])
def test_an_assessment_parameter_that_is_not_a_plain_id_is_refused_with_a_clear_page(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    value: str,
) -> None:
    """``"²"`` passes ``str.isdigit`` but not ``int``; thirty digits overflow every database."""
    prepared = lms.launch(
        client_id=registration.client_id,
        user_id=course.learner_id,
        context_id=course.context_id,
        resource_link_id=course.resource_link_id,
        custom={"assessment": value},
    )
    page = SandboxBrowser().run_launch(prepared["login_initiation"])

    assert page.status_code == 400, page.text
    assert "is not an id" in page.text
    with services(tool.app).sessions() as session:
        assert session.scalar(select(func.count(Attempt.id))) == 0
