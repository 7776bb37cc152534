"""Background delivery of a simulator's JSON notifications (callbacks, webhooks).

One daemon thread posts the payloads in the order they were sent; an answer other
than 2xx or a failed connection is tried again after each of ``retry_delays``, then
the payload is dropped. Every try is recorded for the control API.
"""

from __future__ import annotations

import abc
import queue
import threading
import time
import typing as t

import requests

if t.TYPE_CHECKING:
    from collections.abc import Callable


class JsonPoster(abc.ABC):
    """Posts JSON payloads from one daemon thread, retrying as described above.

    :param thread_name: name of the delivery thread.
    :param retry_delays: seconds to wait before each retry of a failed try.
    :param timeout: seconds to wait for the receiver.
    :param clock: Unix time source of the recorded tries.
    """

    def __init__(
        self,
        *,
        thread_name: str,
        retry_delays: tuple[float, ...],
        timeout: float,
        clock: Callable[[], float],
    ) -> None:
        self._thread_name = thread_name
        self._retry_delays = retry_delays
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
                    target=self._run, name=self._thread_name, daemon=True
                )
                self._thread.start()
        self._queue.put((url, payload))

    def history(self) -> list[dict[str, t.Any]]:
        with self._lock:
            return list(self.deliveries)

    @abc.abstractmethod
    def describe(self, payload: dict[str, t.Any]) -> dict[str, t.Any]:
        """Fields of ``payload`` a recorded try shows next to its URL."""

    def _run(self) -> None:
        while True:
            url, payload = self._queue.get()
            self._deliver(url, payload)
            self._queue.task_done()

    def _deliver(self, url: str, payload: dict[str, t.Any]) -> None:
        for attempt, delay in enumerate((0.0, *self._retry_delays), start=1):
            if delay:
                time.sleep(delay)
            try:
                status: int | None = self._session.post(
                    url, json=payload, timeout=self._timeout
                ).status_code
                problem = None
            except requests.RequestException as exc:
                status, problem = None, type(exc).__name__
            self._record(url, payload, attempt, status, problem)
            if status is not None and 200 <= status < 300:
                return

    def _record(
        self,
        url: str,
        payload: dict[str, t.Any],
        attempt: int,
        status: int | None,
        problem: str | None,
    ) -> None:
        entry = {
            "url": url,
            **self.describe(payload),
            "attempt": attempt,
            "status": status,
            "error": problem,
            "at": self._clock(),
            "payload": payload,
        }
        with self._lock:
            self.deliveries.append(entry)
