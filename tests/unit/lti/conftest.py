"""The sandbox LMS and the tool, each served over real HTTP on 127.0.0.1, for the AGS client.

The tool is served so the LMS can fetch its JWKS when it checks token requests.  Score
timestamps come from :class:`FakeNow` (``now``), which tests move by hand.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing as t

import pytest
from flask import Flask

from lti.ags import AgsClientFactory
from lti.interfaces import PlatformRecord
from lti.interfaces import SharedStore
from plugin.registrations.platforms import NewPlatform
from plugin.registrations.platforms import PlatformService
from plugin.registrations.tool_keys import ToolKeyService
from plugin.sandbox.lms import SandboxCourse
from plugin.sandbox.lms import SandboxLms
from plugin.sandbox.lms import SandboxLmsExtension
from plugin.sandbox.lms import serve_lms
from plugin.sandbox.server import ServedApp
from plugin.sandbox.server import serve_app
from plugin.services import services

T0 = dt.datetime(2024, 5, 1, 10, 0, 0, tzinfo=dt.UTC)


class FakeNow:
    """The current time as the score clock sees it: stands still until moved."""

    def __init__(self, moment: dt.datetime = T0) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += dt.timedelta(seconds=seconds)


@dataclasses.dataclass
class RunningLms:
    served: ServedApp
    client: SandboxLms

    def revoke_tokens(self) -> None:
        """Make the platform forget every access token it issued (a 401 for each)."""
        lms: SandboxLmsExtension = self.served.app.extensions["sandbox_lms"]
        with lms.state.lock:
            lms.state.access_tokens.clear()

    def token_requests(self, client_id: str) -> int:
        return int(self.client.stats()["token_requests"].get(client_id, 0))


@dataclasses.dataclass
class RunningTool:
    url: str
    app: Flask

    @property
    def platforms(self) -> PlatformService:
        service: PlatformService = services(self.app).platforms
        return service

    @property
    def keys(self) -> ToolKeyService:
        service: ToolKeyService = services(self.app).keys
        return service

    @property
    def store(self) -> SharedStore:
        """The app's own ephemeral store: files, or Redis with ``BRIDGE_TEST_REDIS_URL``."""
        store: SharedStore = services(self.app).shared_store
        return store


@pytest.fixture
def running_lms() -> t.Iterator[RunningLms]:
    served = serve_lms()
    try:
        yield RunningLms(served, SandboxLms(served.url))
    finally:
        served.shutdown()


@pytest.fixture
def lms(running_lms: RunningLms) -> SandboxLms:
    return running_lms.client


@pytest.fixture
def tool(make_app: t.Callable[..., Flask]) -> t.Iterator[RunningTool]:
    app = make_app()
    served = serve_app(app)
    try:
        yield RunningTool(url=served.url, app=app)
    finally:
        served.shutdown()


@pytest.fixture
def platform(lms: SandboxLms, tool: RunningTool) -> PlatformRecord:
    """The tool registered by hand on both sides."""
    answer = lms.register_tool(
        name="Assessment Bridge",
        initiate_login_uri=f"{tool.url}/lti/login",
        redirect_uris=[f"{tool.url}/lti/launch"],
        jwks_uri=f"{tool.url}/lti/jwks",
        target_link_uri=f"{tool.url}/lti/launch",
    )
    info = tool.platforms.add(
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
    return info.record


@pytest.fixture
def course(lms: SandboxLms) -> SandboxCourse:
    return lms.create_course(title="Chemistry 101")


@pytest.fixture
def now() -> FakeNow:
    return FakeNow()


@pytest.fixture
def ags(tool: RunningTool, now: FakeNow) -> t.Iterator[AgsClientFactory]:
    clients = AgsClientFactory(tool.keys, tool.store, page_size=2, now=now)
    yield clients
    clients.close()
