"""Fixtures for the sandbox LMS tests: a served platform, a served tool double, a course."""

from __future__ import annotations

import typing as t

import pytest
import requests

from plugin.sandbox.browser import parse_forms
from plugin.sandbox.lms import SandboxLms
from plugin.sandbox.lms import serve_lms
from plugin.sandbox.lms.keys import generate_signing_key
from tests.unit.sandbox.tooldouble import ToolDouble
from tests.unit.sandbox.tooldouble import authorization_request

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from plugin.sandbox.lms import SandboxCourse
    from plugin.sandbox.lms.keys import SigningKey


@pytest.fixture(scope="session")
def tool_keys() -> list[SigningKey]:
    """RSA keys for tool doubles, generated once per run."""
    return [generate_signing_key() for _ in range(2)]


@pytest.fixture
def lms_profile() -> str:
    """The profile the served LMS runs; parametrize ``lms_profile`` to pick another."""
    return "strict"


@pytest.fixture
def lms(lms_profile: str) -> Iterator[SandboxLms]:
    with serve_lms(profile=lms_profile) as served:
        yield SandboxLms(served.url)


@pytest.fixture
def tool(tool_keys: list[SigningKey]) -> Iterator[ToolDouble]:
    double = ToolDouble(tool_keys[0])
    yield double
    double.served.shutdown()


@pytest.fixture
def registration(lms: SandboxLms, tool: ToolDouble) -> dict[str, t.Any]:
    answer = lms.register_tool(**tool.manual_registration())
    tool.client_id = answer["client_id"]
    return answer


@pytest.fixture
def course(lms: SandboxLms) -> SandboxCourse:
    return lms.create_course()


@pytest.fixture
def launch_for(
    lms: SandboxLms, registration: dict[str, t.Any], course: SandboxCourse
) -> t.Callable[..., dict[str, t.Any]]:
    """Prepare a learner launch of the course's resource link; keywords override fields."""

    def prepare(**fields: t.Any) -> dict[str, t.Any]:
        body = {
            "client_id": registration["client_id"],
            "user_id": course.learner_id,
            "context_id": course.context_id,
            "resource_link_id": course.resource_link_id,
            **fields,
        }
        return lms.launch(**{k: v for k, v in body.items() if v is not None})

    return prepare


@pytest.fixture
def issue_id_token(lms: SandboxLms, tool: ToolDouble) -> t.Callable[..., dict[str, str]]:
    """Run the authorization request for a prepared launch; return the posted form fields."""

    def issue(launch: dict[str, t.Any], **overrides: str) -> dict[str, str]:
        params = authorization_request(
            launch["login_initiation"], tool.url + "/launch", **overrides
        )
        response = requests.post(lms.url + "/auth", data=params, timeout=10)
        assert response.status_code == 200, response.text
        forms, _ = parse_forms(response.text)
        fields = dict(forms[0].fields)
        fields["_nonce"] = params["nonce"]
        fields["_state"] = params["state"]
        fields["_action"] = forms[0].action
        return fields

    return issue
