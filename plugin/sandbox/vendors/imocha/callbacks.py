"""Delivery of iMocha callbacks.

https://developer.imocha.io/api/callback-notification: "If your endpoint is
unreachable or errors out, iMocha will retry 5 times consecutively. After that,
retries are stopped." So a callback is tried once and retried 5 times (after
``retry_delay`` seconds each, 0 by default: consecutively), from one background thread
in the order the events happened; an answer other than 2xx or a failed connection
counts as an error. Every try is recorded. Process Callbacks queues the same payloads
again. Callbacks carry no signature.
"""

from __future__ import annotations

import queue
import threading
import time
import typing as t

import requests

if t.TYPE_CHECKING:
    from collections.abc import Callable

RETRIES = 5


class CallbackSender:
    def __init__(
        self,
        *,
        retry_delay: float = 0.0,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._retry_delay = retry_delay
        self._timeout = timeout
        self._clock = clock
        self._queue: queue.Queue[tuple[str, dict[str, t.Any]]] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._session = requests.Session()
        self.deliveries: list[dict[str, t.Any]] = []

    def send(self, url: str, payload: dict[str, t.Any]) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="imocha-callbacks", daemon=True
                )
                self._thread.start()
        self._queue.put((url, payload))

    def history(self) -> list[dict[str, t.Any]]:
        with self._lock:
            return list(self.deliveries)

    def _run(self) -> None:
        while True:
            url, payload = self._queue.get()
            self._deliver(url, payload)
            self._queue.task_done()

    def _deliver(self, url: str, payload: dict[str, t.Any]) -> None:
        for attempt in range(1, RETRIES + 2):
            if attempt > 1:
                time.sleep(self._retry_delay)
            try:
                status: int | None = self._session.post(
                    url, json=payload, timeout=self._timeout
                ).status_code
                problem = None
            except requests.RequestException as exc:
                status, problem = None, type(exc).__name__
            entry = {
                "url": url,
                "invitation": payload["TestInvitationId"],
                "status_sent": payload["Status"],
                "attempt": attempt,
                "status": status,
                "error": problem,
                "at": self._clock(),
                "payload": payload,
            }
            with self._lock:
                self.deliveries.append(entry)
            if status is not None and 200 <= status < 300:
                return
