"""Failure injection shared by the vendor and ATS simulators.

A simulator calls :func:`install_faults` with a function that renders its
vendor's own error body; tests and benchmarks then ``PUT /sandbox/faults``
with a JSON body of :class:`FaultPlan` fields.  One seeded ``random.Random``
decides each request's fate, so a seed and a request order always give the
same failures.  Requests under ``/sandbox/`` (the control API) and the
candidate-facing pages listed in ``exempt_prefixes`` are never failed.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
import typing as t

from flask import Flask
from flask import Response
from flask import jsonify
from flask import request

EXTENSION_KEY = "sandbox.faults"

ErrorRenderer = t.Callable[[int, str], Response]


@dataclasses.dataclass(frozen=True)
class FaultPlan:
    """What to inject, as fractions of requests (they must sum to at most 1).

    :ivar latency_ms: delay added to every request.
    :ivar error_rate: answered 500 or 503 with the vendor's error body.
    :ivar rate_limit_rate: answered 429 with ``Retry-After: retry_after``.
    :ivar malformed_rate: answered 200 with a body that is not JSON.
    :ivar truncated_rate: answered 200 with the real JSON body cut in half.
    :ivar slow_rate: delayed by ``slow_ms`` (to trip the client's read timeout).
    """

    latency_ms: int = 0
    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    retry_after: int = 1
    malformed_rate: float = 0.0
    truncated_rate: float = 0.0
    slow_rate: float = 0.0
    slow_ms: int = 5000
    seed: int | None = None

    @classmethod
    def from_json(cls, body: t.Mapping[str, t.Any]) -> FaultPlan:
        """:raises ValueError: unknown keys or values out of range."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(body) - names
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        plan = cls(**dict(body))
        rates = (
            plan.error_rate,
            plan.rate_limit_rate,
            plan.malformed_rate,
            plan.truncated_rate,
            plan.slow_rate,
        )
        if any(not isinstance(r, int | float) or not 0 <= r <= 1 for r in rates) or sum(rates) > 1:
            raise ValueError("rates must be numbers in [0, 1] that sum to at most 1")
        if min(plan.latency_ms, plan.retry_after, plan.slow_ms) < 0:
            raise ValueError("latency_ms, retry_after and slow_ms must be >= 0")
        return plan


class FaultInjector:
    def __init__(self, render_error: ErrorRenderer, exempt_prefixes: tuple[str, ...]) -> None:
        self._lock = threading.Lock()
        self._plan = FaultPlan()
        self._rng = random.Random()
        self._render_error = render_error
        self._exempt = ("/sandbox/", *exempt_prefixes)
        self.injected: dict[str, int] = {}

    @property
    def plan(self) -> FaultPlan:
        with self._lock:
            return self._plan

    def configure(self, plan: FaultPlan) -> None:
        with self._lock:
            self._plan = plan
            self._rng = random.Random(plan.seed)
            self.injected = {}

    def _draw(self) -> tuple[FaultPlan, str | None]:
        with self._lock:
            plan = self._plan
            roll = self._rng.random()
            edge = 0.0
            for name in ("error", "rate_limit", "malformed", "truncated", "slow"):
                edge += getattr(plan, f"{name}_rate")
                if roll < edge:
                    self.injected[name] = self.injected.get(name, 0) + 1
                    return plan, name
            return plan, None

    def before(self) -> Response | None:
        if request.path.startswith(self._exempt):
            return None
        plan, fault = self._draw()
        if plan.latency_ms:
            time.sleep(plan.latency_ms / 1000)
        request.environ["sandbox.fault"] = fault
        if fault == "slow":
            time.sleep(plan.slow_ms / 1000)
        if fault == "error":
            status = random.choice((500, 503))
            response = self._render_error(status, "injected server error")
            response.headers["Retry-After"] = str(plan.retry_after)
            return response
        if fault == "rate_limit":
            response = self._render_error(429, "too many requests")
            response.headers["Retry-After"] = str(plan.retry_after)
            return response
        if fault == "malformed":
            return Response("<html>upstream error</html>", status=200, mimetype="application/json")
        return None

    def after(self, response: Response) -> Response:
        if request.environ.get("sandbox.fault") == "truncated" and not response.direct_passthrough:
            body = response.get_data()
            response.set_data(body[: max(1, len(body) // 2)])
        return response


def install_faults(
    app: Flask, render_error: ErrorRenderer, *, exempt_prefixes: tuple[str, ...] = ()
) -> FaultInjector:
    """Wire fault injection and ``PUT/GET /sandbox/faults`` into ``app``."""
    injector = FaultInjector(render_error, exempt_prefixes)
    app.extensions[EXTENSION_KEY] = injector
    app.before_request(injector.before)
    app.after_request(injector.after)

    def put_faults() -> tuple[Response, int]:
        try:
            plan = FaultPlan.from_json(request.get_json(force=True) or {})
        except (TypeError, ValueError) as exc:
            return jsonify(error=str(exc)), 400
        injector.configure(plan)
        return jsonify(dataclasses.asdict(plan)), 200

    def get_faults() -> Response:
        return jsonify(plan=dataclasses.asdict(injector.plan), injected=injector.injected)

    app.add_url_rule("/sandbox/faults", "sandbox_put_faults", put_faults, methods=["PUT"])
    app.add_url_rule("/sandbox/faults", "sandbox_get_faults", get_faults, methods=["GET"])
    return injector
