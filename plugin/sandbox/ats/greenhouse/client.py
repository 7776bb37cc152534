"""A small client of the Greenhouse simulator's control API, for tests and benchmarks."""

from __future__ import annotations

import typing as t

import requests

_TIMEOUT_S = (3.05, 10.0)


class SandboxGreenhouseError(Exception):
    """The control API refused a call."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"Greenhouse simulator answered {status}: {body[:300]}")
        self.status = status
        self.body = body


class SandboxGreenhouse:
    """Drive a running Greenhouse simulator through ``/sandbox/``.

    :param url: the simulator's base URL (the sink's ``base_url``; its token URL is
        :attr:`token_url`).
    :param session: HTTP session to use; a new one by default.
    """

    def __init__(self, url: str, session: requests.Session | None = None) -> None:
        self.url = url.rstrip("/")
        self.session = session or requests.Session()

    @property
    def token_url(self) -> str:
        return f"{self.url}/token"

    def add_candidate(
        self,
        *emails: str,
        job_ids: t.Sequence[int] = (),
        first_name: str = "Sandbox",
        last_name: str = "Candidate",
    ) -> int:
        """Create a candidate; return its id."""
        body = {
            "emails": list(emails),
            "job_ids": list(job_ids),
            "first_name": first_name,
            "last_name": last_name,
        }
        return int(self._call("POST", "/sandbox/candidates", json=body)["id"])

    def add_field(
        self,
        name: str,
        value_type: str,
        *,
        name_key: str | None = None,
        options: t.Sequence[str] = (),
        active: bool = True,
    ) -> dict[str, t.Any]:
        """Define a candidate custom field; return it as the API lists it."""
        body: dict[str, t.Any] = {"name": name, "value_type": value_type, "active": active}
        if name_key is not None:
            body["name_key"] = name_key
        if options:
            body["options"] = list(options)
        return t.cast("dict[str, t.Any]", self._call("POST", "/sandbox/custom_fields", json=body))

    def delete_field(self, field_id: int) -> None:
        """Soft-delete a custom field (it stays listed with ``active: false``)."""
        self._call("DELETE", f"/sandbox/custom_fields/{field_id}")

    def candidate(self, candidate_id: int) -> dict[str, t.Any]:
        """``{"id", "emails", "job_ids", "custom_fields": {name_key: value}, "notes"}``."""
        return t.cast("dict[str, t.Any]", self._call("GET", f"/sandbox/candidates/{candidate_id}"))

    def revoke_tokens(self) -> int:
        """Make every issued access token invalid; return how many there were."""
        return int(self._call("POST", "/sandbox/tokens/revoke")["revoked"])

    def stats(self) -> dict[str, t.Any]:
        """``{"requests": {"GET /v3/candidates": n, ...}, "token_requests", "tokens_issued",
        "rate_limited"}``."""
        return t.cast("dict[str, t.Any]", self._call("GET", "/sandbox/stats"))

    def reset(self) -> None:
        self._call("POST", "/sandbox/reset")

    def set_faults(self, **plan: t.Any) -> dict[str, t.Any]:
        """Inject failures (:class:`plugin.sandbox.vendors.faults.FaultPlan` fields)."""
        return t.cast("dict[str, t.Any]", self._call("PUT", "/sandbox/faults", json=plan))

    def _call(self, method: str, path: str, **kwargs: t.Any) -> t.Any:
        response = self.session.request(method, self.url + path, timeout=_TIMEOUT_S, **kwargs)
        if response.status_code >= 400:
            raise SandboxGreenhouseError(response.status_code, response.text)
        return response.json()
