"""A small client for the webhook receiver's control API (tests, benchmarks, demo)."""

from __future__ import annotations

import typing as t

import requests

from plugin.sandbox.ats.webhook.hook import PATH

_TIMEOUT_S = (3.05, 10.0)


class SandboxWebhookReceiverError(Exception):
    """The control API refused a call."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"sandbox webhook receiver answered {status}: {body[:300]}")
        self.status = status
        self.body = body


class SandboxWebhookReceiver:
    """Drive a running webhook receiver through ``/sandbox/``.

    :param url: the receiver's base URL; deliveries go to :attr:`hook_url`.
    :param session: HTTP session to use; a new one by default.
    """

    def __init__(self, url: str, session: requests.Session | None = None) -> None:
        self.url = url.rstrip("/")
        self.hook_url = self.url + PATH
        self.session = session or requests.Session()

    def _call(self, method: str, path: str, **kwargs: t.Any) -> dict[str, t.Any]:
        response = self.session.request(method, self.url + path, timeout=_TIMEOUT_S, **kwargs)
        if response.status_code >= 400:
            raise SandboxWebhookReceiverError(response.status_code, response.text)
        return t.cast("dict[str, t.Any]", response.json())

    def received(self) -> list[dict[str, t.Any]]:
        """Stored deliveries (``idempotency_key``, ``signature``, ``body``), oldest first."""
        return t.cast("list[dict[str, t.Any]]", self._call("GET", "/sandbox/received")["received"])

    def stats(self) -> dict[str, t.Any]:
        """``counts`` (accepted, duplicate, conflict, pings) and answers by ``statuses``."""
        return self._call("GET", "/sandbox/stats")

    def answer_with(self, status: int | None, body: dict[str, t.Any] | None = None) -> None:
        """Answer every delivery with ``status`` (and ``body``); ``None`` processes again."""
        self._call("PUT", "/sandbox/answer", json={"status": status, "body": body or {}})

    def reset(self) -> None:
        """Forget deliveries, counters and any forced answer."""
        self._call("POST", "/sandbox/reset")

    def set_faults(self, **plan: t.Any) -> dict[str, t.Any]:
        """Inject failures (:class:`plugin.sandbox.vendors.faults.FaultPlan` fields)."""
        return self._call("PUT", "/sandbox/faults", json=plan)
