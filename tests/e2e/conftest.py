"""Real HTTP on 127.0.0.1: the sandbox LMS and the tool, each served in a thread."""

from __future__ import annotations

import dataclasses
import socket
import typing as t

import pytest
import requests
from flask import Flask

from plugin.registrations.platforms import PlatformService
from plugin.sandbox.browser import SandboxBrowser
from plugin.sandbox.lms import SandboxCourse
from plugin.sandbox.lms import SandboxLms
from plugin.sandbox.lms import serve_lms
from plugin.sandbox.server import ServedApp
from plugin.sandbox.server import serve_app
from plugin.services import services
from tests.support.registration import register_by_hand


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
        service: PlatformService = services(self.app).platforms
        return service


@dataclasses.dataclass
class Registration:
    client_id: str
    deployment_id: str
    issuer: str


#: The sandbox LMS behaviours the end-to-end flows run against (plugin/sandbox/lms/profiles.py).
LMS_PROFILES = ("strict", "moodle", "canvas")


@pytest.fixture
def lms_profile() -> str:
    """The sandbox LMS profile; a module imports
    :func:`tests.e2e.profiles.on_every_lms_profile` to run its tests on each of
    :data:`LMS_PROFILES`."""
    return "strict"


@pytest.fixture
def lms(lms_profile: str) -> t.Iterator[SandboxLms]:
    served = serve_lms(profile=lms_profile)
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


@pytest.fixture
def registration(lms: SandboxLms, tool: RunningTool) -> Registration:
    """The tool registered by hand on both sides."""
    info, deployment_id = register_by_hand(lms, tool.platforms, tool.url)
    return Registration(info.record.client_id, deployment_id, info.record.issuer)


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
