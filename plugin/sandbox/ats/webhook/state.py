"""What the simulated receiver remembers (thread-safe)."""

from __future__ import annotations

import collections
import dataclasses
import threading
import typing as t


@dataclasses.dataclass
class ForcedAnswer:
    """An answer given to every delivery instead of processing it (e.g. 410)."""

    status: int
    body: dict[str, t.Any]


class ReceiverState:
    """Deliveries by ``Idempotency-Key`` (body digest), stored bodies and counters."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.digests: dict[str, str] = {}
        self.received: list[dict[str, t.Any]] = []
        self.counts: collections.Counter[str] = collections.Counter()
        self.statuses: collections.Counter[int] = collections.Counter()
        self.forced: ForcedAnswer | None = None

    def remember(self, key: str, digest: str, entry: dict[str, t.Any]) -> str:
        """Record a delivery: ``"accepted"``, ``"duplicate"`` (same key and body) or
        ``"conflict"`` (same key, another body; nothing stored)."""
        with self.lock:
            known = self.digests.get(key)
            if known is None:
                self.digests[key] = digest
                self.received.append(entry)
                outcome = "accepted"
            else:
                outcome = "duplicate" if known == digest else "conflict"
            self.counts[outcome] += 1
            return outcome

    def count(self, name: str) -> None:
        with self.lock:
            self.counts[name] += 1

    def answered(self, status: int) -> None:
        with self.lock:
            self.statuses[status] += 1

    def reset(self) -> None:
        with self.lock:
            self.digests.clear()
            self.received.clear()
            self.counts.clear()
            self.statuses.clear()
            self.forced = None
