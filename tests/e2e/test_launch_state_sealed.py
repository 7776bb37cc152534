"""What a login and a launch leave in the cache directory names nobody and gives away no
nonce: login state and launch data are sealed."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import jwt
import pytest

from plugin.sandbox.browser import SandboxBrowser
from plugin.sandbox.browser import autosubmit_form
from plugin.sandbox.lms import SandboxCourse
from plugin.sandbox.lms import SandboxLms
from tests.e2e.conftest import Registration
from tests.e2e.conftest import RunningTool

pytestmark = pytest.mark.e2e

NAME, EMAIL = "Grace Hopper", "grace.hopper@example.edu"


@pytest.fixture
def tool_settings(tmp_path: Path) -> dict[str, str]:
    """The file store (also when the run has Redis): its files are what is looked at."""
    return {"BRIDGE_CACHE_URL": f"filesystem://{tmp_path / 'tool-cache'}"}


def cached_bytes(tmp_path: Path) -> bytes:
    files = [path for path in (tmp_path / "tool-cache").rglob("*") if path.is_file()]
    assert files
    return b"".join(path.read_bytes() for path in files)


def test_login_state_and_launch_data_are_not_stored_in_clear(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    tmp_path: Path,
) -> None:
    learner = lms.add_user(NAME, email=EMAIL)
    lms.enrol(course.context_id, learner["id"], ["Learner"])
    prepared = lms.launch(
        client_id=registration.client_id,
        user_id=learner["id"],
        context_id=course.context_id,
        resource_link_id=course.resource_link_id,
    )
    initiation = prepared["login_initiation"]
    browser = SandboxBrowser()
    login = browser.post(initiation["url"], data=initiation["params"], allow_redirects=False)
    assert login.status_code == 302
    nonce = parse_qs(urlsplit(login.headers["Location"]).query)["nonce"][0]
    assert nonce.encode() not in cached_bytes(tmp_path)

    form = autosubmit_form(browser.get(login.headers["Location"]))
    assert form is not None
    claims = jwt.decode(dict(form.fields)["id_token"], options={"verify_signature": False})
    assert (claims["name"], claims["email"]) == (NAME, EMAIL)
    page = browser.post(form.action, data=form.fields)
    assert page.status_code == 200, page.text

    stored = cached_bytes(tmp_path)
    for clear in (NAME, EMAIL, nonce):
        assert clear.encode() not in stored
