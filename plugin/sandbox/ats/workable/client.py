"""A small client for the Workable simulator's control API (tests, benchmarks, demo)."""

from __future__ import annotations

import typing as t

import requests

_TIMEOUT_S = (3.05, 10.0)


class SandboxWorkableError(Exception):
    """The control API refused a call."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"sandbox Workable answered {status}: {body[:300]}")
        self.status = status
        self.body = body


class SandboxWorkable:
    """Drive a running Workable simulator through ``/sandbox/``.

    :param url: the simulator's base URL (the sink's ``base_url``).
    :param session: HTTP session to use; a new one by default.
    """

    def __init__(self, url: str, session: requests.Session | None = None) -> None:
        self.url = url.rstrip("/")
        self.session = session or requests.Session()

    def _call(self, method: str, path: str, **kwargs: t.Any) -> dict[str, t.Any]:
        response = self.session.request(method, self.url + path, timeout=_TIMEOUT_S, **kwargs)
        if response.status_code >= 400:
            raise SandboxWorkableError(response.status_code, response.text)
        return t.cast("dict[str, t.Any]", response.json())

    def add_candidate(self, email: str, **fields: t.Any) -> dict[str, t.Any]:
        """Create a candidate (``firstname``, ``lastname``, ``id`` optional)."""
        return self._call("POST", "/sandbox/candidates", json={"email": email, **fields})

    def candidate(self, candidate_id: str) -> dict[str, t.Any]:
        """A candidate with its ``custom_attributes`` values and ``writes`` count."""
        return self._call("GET", f"/sandbox/candidates/{candidate_id}")

    def add_attribute(self, label: str, type: str, **fields: t.Any) -> dict[str, t.Any]:
        """Define a custom attribute (``id``, ``enabled``, ``hint``, ``choices`` optional)."""
        body = {"label": label, "type": type, **fields}
        return self._call("POST", "/sandbox/custom_attributes", json=body)

    def stats(self) -> dict[str, t.Any]:
        """Requests by endpoint, answers by status, 429s and 401s answered."""
        return self._call("GET", "/sandbox/stats")

    def reset(self) -> None:
        """Forget everything (candidates, attributes, counters, intervals)."""
        self._call("POST", "/sandbox/reset")

    def set_faults(self, **plan: t.Any) -> dict[str, t.Any]:
        """Inject failures (:class:`plugin.sandbox.vendors.faults.FaultPlan` fields)."""
        return self._call("PUT", "/sandbox/faults", json=plan)
