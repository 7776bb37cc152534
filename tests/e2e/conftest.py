"""Real HTTP on 127.0.0.1: the sandbox LMS and the tool, each served in a thread."""

from __future__ import annotations

import dataclasses
import socket
import typing as t

import pytest
import requests
from flask import Flask

from plugin.platforms import NewPlatform
from plugin.platforms import PlatformService
from plugin.sandbox.browser import SandboxBrowser
from plugin.sandbox.lms import SandboxCourse
from plugin.sandbox.lms import SandboxLms
from plugin.sandbox.lms import serve_lms
from plugin.sandbox.server import ServedApp
from plugin.sandbox.server import serve_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclasses.dataclass
class RunningTool:
    url: str
    app: Flask

    @property
    def platforms(self) -> PlatformService:
        service: PlatformService = self.app.extensions["bridge.platforms"]
        return service


@dataclasses.dataclass
class Registration:
    client_id: str
    deployment_id: str
    issuer: str


@pytest.fixture
def lms() -> t.Iterator[SandboxLms]:
    served = serve_lms()
    try:
        yield SandboxLms(served.url)
    finally:
        served.shutdown()


@pytest.fixture
def tool_settings() -> dict[str, str]:
    """Settings of the tool beyond the defaults (modules override this)."""
    return {}


@pytest.fixture
def tool(
    make_app: t.Callable[..., Flask], tool_settings: dict[str, str]
) -> t.Iterator[RunningTool]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = make_app(BRIDGE_BASE_URL=url, **tool_settings)
    served: ServedApp = serve_app(app, port=port)
    try:
        yield RunningTool(url=url, app=app)
    finally:
        served.shutdown()


def register_on_lms(lms: SandboxLms, tool: RunningTool) -> dict[str, t.Any]:
    return lms.register_tool(
        name="Assessment Bridge",
        initiate_login_uri=f"{tool.url}/lti/login",
        redirect_uris=[f"{tool.url}/lti/launch"],
        jwks_uri=f"{tool.url}/lti/jwks",
        target_link_uri=f"{tool.url}/lti/launch",
    )


@pytest.fixture
def registration(lms: SandboxLms, tool: RunningTool) -> Registration:
    """The tool registered by hand on both sides."""
    answer = register_on_lms(lms, tool)
    tool.platforms.add(
        NewPlatform(
            issuer=answer["issuer"],
            client_id=answer["client_id"],
            auth_login_url=answer["auth_login_url"],
            auth_token_url=answer["auth_token_url"],
            key_set_url=answer["key_set_url"],
            auth_audience=answer.get("auth_audience"),
            deployment_ids=(answer["deployment_id"],),
        )
    )
    return Registration(answer["client_id"], answer["deployment_id"], answer["issuer"])


@pytest.fixture
def course(lms: SandboxLms) -> SandboxCourse:
    return lms.create_course(title="Chemistry 101")


def launch_as(
    lms: SandboxLms,
    registration: Registration,
    course: SandboxCourse,
    user_id: str,
    **fields: t.Any,
) -> requests.Response:
    prepared = lms.launch(
        client_id=registration.client_id,
        user_id=user_id,
        context_id=course.context_id,
        resource_link_id=course.resource_link_id,
        **fields,
    )
    return SandboxBrowser().run_launch(prepared["login_initiation"])


@pytest.fixture
def serve() -> t.Iterator[t.Callable[[Flask], ServedApp]]:
    """Serve simulators over HTTP for one test."""
    served: list[ServedApp] = []

    def start(app: Flask) -> ServedApp:
        served.append(serve_app(app))
        return served[-1]

    yield start
    for running in served:
        running.shutdown()
