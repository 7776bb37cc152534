"""Test doubles shared by the vendor connector and simulator tests."""

from __future__ import annotations

import json
import threading
import time
import typing as t

import requests
from flask import Flask
from flask import request

from plugin.sandbox.server import serve_app
from plugin.vendors.base import IncomingRequest

if t.TYPE_CHECKING:
    from plugin.sandbox.server import ServedApp


class Clock:
    """A settable clock: ``clock.now`` is what calling it answers (default: real now)."""

    def __init__(self, now: float | None = None) -> None:
        self.now = time.time() if now is None else now

    def __call__(self) -> float:
        return self.now


class Receiver:
    """A served ``POST /hook`` that records what reaches it; 500 to the first
    ``failures`` posts, then 200."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[IncomingRequest] = []
        self.ok: list[IncomingRequest] = []
        self._changed = threading.Condition()
        app = Flask("receiver")
        app.add_url_rule("/hook", "hook", self._hook, methods=["POST"])
        self.served = serve_app(app)
        self.url = f"{self.served.url}/hook"

    def _hook(self) -> tuple[str, int]:
        incoming = IncomingRequest(
            method="POST",
            path=request.path,
            headers=dict(request.headers),
            query=request.args.to_dict(),
            body=request.get_data(),
        )
        with self._changed:
            self.received.append(incoming)
            failing = len(self.received) <= self.failures
            if not failing:
                self.ok.append(incoming)
            self._changed.notify_all()
        return ("down", 500) if failing else ("ok", 200)

    def wait_for(self, count: int) -> list[IncomingRequest]:
        """The first ``count`` posts (of any outcome), waiting up to 5 s for them."""
        return self._wait(self.received, count)

    def wait_ok(self, count: int) -> list[IncomingRequest]:
        """The first ``count`` posts answered 200, waiting up to 5 s for them."""
        return self._wait(self.ok, count)

    def _wait(self, seen: list[IncomingRequest], count: int) -> list[IncomingRequest]:
        with self._changed:
            assert self._changed.wait_for(lambda: len(seen) >= count, timeout=5)
            return list(seen)


def call_control(sim: ServedApp, method: str, path: str, **body: t.Any) -> requests.Response:
    """Call a simulator's control API (``/sandbox/...``) with ``body`` as JSON."""
    return requests.request(method, f"{sim.url}{path}", json=body, timeout=5)


def control(sim: ServedApp, method: str, path: str, **body: t.Any) -> dict[str, t.Any]:
    """Call the control API and return its JSON answer, which must be a success."""
    response = call_control(sim, method, path, **body)
    assert response.status_code < 300, response.text
    return t.cast("dict[str, t.Any]", response.json())


def recorded_tries(sim: ServedApp, path: str, key: str, count: int) -> list[dict[str, t.Any]]:
    """The simulator's delivery log once it holds ``count`` tries (it records after sending)."""
    deadline = time.monotonic() + 5
    while True:
        tries = t.cast("list[dict[str, t.Any]]", call_control(sim, "GET", path).json()[key])
        if len(tries) >= count or time.monotonic() > deadline:
            return tries
        time.sleep(0.02)


def payloads(posts: list[IncomingRequest]) -> list[dict[str, t.Any]]:
    """The JSON bodies of recorded posts."""
    return [t.cast("dict[str, t.Any]", json.loads(post.body)) for post in posts]
