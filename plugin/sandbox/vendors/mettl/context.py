"""The simulator's per-app objects and the helpers its views share."""

from __future__ import annotations

import dataclasses
import json
import typing as t
from collections.abc import Mapping

from flask import Response
from flask import current_app

from plugin.sandbox.vendors.mettl.auth import authenticate
from plugin.sandbox.vendors.mettl.errors import SimulatorError

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Sequence

    from plugin.sandbox.vendors.mettl.flow import Flows
    from plugin.sandbox.vendors.mettl.notifications import Notifier
    from plugin.sandbox.vendors.mettl.state import MettlState

EXTENSION_KEY = "sandbox.mettl"


@dataclasses.dataclass
class MettlSimulator:
    public_key: str
    private_key: str
    account_name: str
    state: MettlState
    flows: Flows
    notifier: Notifier
    clock: Callable[[], float]

    def authenticate(self) -> dict[str, str]:
        return authenticate(self.public_key, self.private_key, self.clock())


def current() -> MettlSimulator:
    simulator: MettlSimulator = current_app.extensions[EXTENSION_KEY]
    return simulator


def json_response(body: t.Any, status: int = 200) -> Response:
    return Response(
        json.dumps(body, separators=(",", ":")), status=status, mimetype="application/json"
    )


def success(**fields: t.Any) -> Response:
    return json_response({"status": "SUCCESS", **fields})


def int_param(
    params: Mapping[str, str], name: str, default: int, low: int, high: int | None = None
) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise SimulatorError("E400", f"Invalid value for {name}: must be an integer {bounds}")
    return int(raw)


def choice_param(params: Mapping[str, str], name: str, default: str, allowed: Sequence[str]) -> str:
    value = params.get(name, default)
    if value not in allowed:
        raise SimulatorError("E400", f"Invalid value for {name}: expected one of {list(allowed)}")
    return value
