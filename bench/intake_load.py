"""An open-loop load generator: requests sent on a fixed schedule, whatever the answers do.

Request ``i`` is due at ``start + i / rate``.  Several sender threads share the schedule
(thread ``k`` sends requests ``k, k + n, ...``), each with its own kept-alive session.
Latency is measured from the due time, so a slow answer that makes a sender late is
charged to the requests it delayed (no coordinated omission); the plain service time
(from the actual send) is kept beside it.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import time
import typing as t

import requests

_TIMEOUT_S = (3.05, 30.0)
#: Pause before the first request is due, so every sender is ready.
_LEAD_S = 0.5


@dataclasses.dataclass(frozen=True)
class Sample:
    """One request: when it was due, sent and answered (``perf_counter`` seconds)."""

    index: int
    due: float
    sent: float
    answered: float
    status: int | None
    error: str | None = None

    @property
    def latency(self) -> float:
        return self.answered - self.due

    @property
    def service(self) -> float:
        return self.answered - self.sent

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def fire(
    url: str, bodies: t.Sequence[bytes], *, rate: float, senders: int
) -> tuple[float, list[Sample]]:
    """POST ``bodies[i]`` to ``url`` at ``rate`` per second from ``senders`` threads.

    :return: the time the first request was due and every sample, in index order.
    """
    start = time.perf_counter() + _LEAD_S

    def sender(first: int) -> list[Sample]:
        session = requests.Session()
        headers = {"Content-Type": "application/json"}
        samples = []
        for index in range(first, len(bodies), senders):
            due = start + index / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            sent = time.perf_counter()
            try:
                answer = session.post(url, data=bodies[index], headers=headers, timeout=_TIMEOUT_S)
                status, error = answer.status_code, None if answer.ok else answer.text[:200]
            except requests.RequestException as exc:
                status, error = None, type(exc).__name__
            samples.append(Sample(index, due, sent, time.perf_counter(), status, error))
        session.close()
        return samples

    with concurrent.futures.ThreadPoolExecutor(senders) as pool:
        batches = list(pool.map(sender, range(senders)))
    return start, sorted((s for batch in batches for s in batch), key=lambda s: s.index)
