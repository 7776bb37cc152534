"""A served Greenhouse simulator and sinks pointed at it."""

from __future__ import annotations

import typing as t

import pytest

from lti.http import TimeoutSession
from plugin.ats.greenhouse import GreenhouseConfig
from plugin.ats.greenhouse import GreenhouseSink
from plugin.sandbox.ats.greenhouse import SandboxGreenhouse
from plugin.sandbox.ats.greenhouse import create_greenhouse_app
from plugin.sandbox.server import serve_app
from tests.unit.ats.greenhouse.helpers import CLIENT_ID
from tests.unit.ats.greenhouse.helpers import CLIENT_SECRET
from tests.unit.ats.greenhouse.helpers import USER_ID

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterator


MakeSim = t.Callable[..., SandboxGreenhouse]
MakeSink = t.Callable[..., GreenhouseSink]


@pytest.fixture
def make_sim() -> Iterator[MakeSim]:
    """Serve a simulator with the given options (defaults: one user, 50 per 10 s)."""
    served = []

    def make(**options: t.Any) -> SandboxGreenhouse:
        settings = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "users": [USER_ID],
            **options,
        }
        server = serve_app(create_greenhouse_app(**settings))
        served.append(server)
        return SandboxGreenhouse(server.url)

    yield make
    for server in served:
        server.shutdown()


@pytest.fixture
def sim(make_sim: MakeSim) -> SandboxGreenhouse:
    return make_sim()


@pytest.fixture
def make_sink() -> Iterator[Callable[..., GreenhouseSink]]:
    """A sink for a simulator; settings override the defaults, ``clock``/``sleep`` are passed on."""
    sinks: list[GreenhouseSink] = []

    def make(
        sim: SandboxGreenhouse,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
        **settings: str,
    ) -> GreenhouseSink:
        values = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "user_id": str(USER_ID),
            "base_url": sim.url,
            "token_url": sim.token_url,
            **settings,
        }
        options = {
            name: value for name, value in (("clock", clock), ("sleep", sleep)) if value is not None
        }
        sink = GreenhouseSink(
            GreenhouseConfig.from_mapping(values),
            session=TimeoutSession(retries=0, read_timeout=3.0),
            **options,
        )
        sinks.append(sink)
        return sink

    yield make
    for sink in sinks:
        sink.close()


@pytest.fixture
def sink(sim: SandboxGreenhouse, make_sink: MakeSink) -> GreenhouseSink:
    return make_sink(sim)
