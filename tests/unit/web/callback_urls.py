"""Vendor connections with real adapters, and the callback and return URLs a vendor or a
learner's browser is given, for tests of what those URLs answer."""

from __future__ import annotations

import dataclasses
import typing as t

from plugin.services import services
from plugin.store.models import Assessment
from plugin.store.models import Attempt
from plugin.store.models import VendorConnection
from tests.support.tokens import attempt_token
from tests.support.tokens import callback_token
from tests.unit.factories import make_attempt

if t.TYPE_CHECKING:
    from flask import Flask

#: Settings of one connection of each vendor whose signals are JSON bodies.
CONFIGS: dict[str, dict[str, str]] = {
    "imocha": {"api_key": "imocha-key"},
    "mettl": {"public_key": "pub", "private_key": "secret-key"},
    "proctorexam": {
        "api_token": "pe-token",
        "secret_key": "pe-secret",
        "base_url": "https://proctorexam.example",
    },
}


@dataclasses.dataclass(frozen=True)
class Connection:
    """A stored vendor connection: its id, kind and callback path (with the token)."""

    id: int
    kind: str
    name: str
    callback_path: str


def connection(app: Flask, kind: str, name: str = "") -> Connection:
    """A connection of ``kind`` with the settings of :data:`CONFIGS`."""
    registry = services(app)
    info = registry.vendor_connections.add(kind, name or f"{kind}-hostile", CONFIGS[kind])
    with registry.sessions() as session:
        row = session.get(VendorConnection, info.id)
        assert row is not None
        token = callback_token(app, row)
    return Connection(info.id, kind, info.name, f"/callbacks/{kind}/{info.id}?token={token}")


def attempt_on(app: Flask, on: Connection, *, vendor_ref: str = "331469") -> tuple[int, str]:
    """An attempt of an assessment of ``on``: its id and its return path."""
    attempt_id = make_attempt(app)
    with services(app).sessions.begin() as session:
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        assessment = session.get(Assessment, attempt.assessment_id)
        assert assessment is not None
        assessment.connection_id = on.id
        attempt.vendor_ref = vendor_ref
        token = attempt_token(app, attempt)
    return attempt_id, f"/return/{token}"
