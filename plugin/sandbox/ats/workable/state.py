"""In-memory state of the simulated Workable account (thread-safe)."""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import secrets
import threading
import typing as t

#: Custom attribute types the simulator accepts writes for (``docs/ats/workable.md#attribute-
#: definitions``).
ATTRIBUTE_TYPES = frozenset({"short_text", "free_text", "numeric", "boolean", "dropdown", "date"})


class SimulatorError(Exception):
    """A Workable error answer: HTTP status and ``{"error": message}``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclasses.dataclass
class Attribute:
    id: str
    label: str
    type: str
    enabled: bool = True
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def doc(self) -> dict[str, t.Any]:
        doc: dict[str, t.Any] = {
            "id": self.id,
            "label": self.label,
            "type": self.type,
            "enabled": self.enabled,
            "hint": self.hint,
        }
        if self.type == "dropdown":
            doc["single_answer"] = True
            doc["choices"] = [{"id": cid, "body": body} for cid, body in self.choices]
        return doc


@dataclasses.dataclass
class Candidate:
    id: str
    email: str
    firstname: str
    lastname: str
    created_at: str
    values: dict[str, t.Any] = dataclasses.field(default_factory=dict)
    writes: int = 0
    #: successful writes per attribute key (a resumed delivery writes each once)
    writes_by_attribute: collections.Counter[str] = dataclasses.field(
        default_factory=collections.Counter
    )

    def doc(self, subdomain: str) -> dict[str, t.Any]:
        return {
            "id": self.id,
            "name": f"{self.firstname} {self.lastname}".strip(),
            "firstname": self.firstname,
            "lastname": self.lastname,
            "email": self.email,
            "stage": "applied",
            "disqualified": False,
            "created_at": self.created_at,
            "profile_url": f"https://{subdomain}.workable.com/backend/candidates/{self.id}",
        }


class WorkableState:
    """Candidates, attribute definitions and counters; every method holds :attr:`lock`."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.candidates: dict[str, Candidate] = {}
        self.attributes: dict[str, Attribute] = {}
        self.requests: collections.Counter[str] = collections.Counter()
        self.statuses: collections.Counter[int] = collections.Counter()

    def add_candidate(
        self, email: str, firstname: str, lastname: str, candidate_id: str | None
    ) -> Candidate:
        with self.lock:
            new_id = candidate_id or _fresh_id(self.candidates)
            if new_id in self.candidates:
                raise ValueError(f"candidate id {new_id!r} is taken")
            created = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            candidate = Candidate(new_id, email, firstname, lastname, created)
            self.candidates[new_id] = candidate
            return candidate

    def add_attribute(self, attribute: Attribute) -> Attribute:
        with self.lock:
            if attribute.id in self.attributes:
                raise ValueError(f"custom attribute {attribute.id!r} exists")
            self.attributes[attribute.id] = attribute
            return attribute

    def candidate(self, candidate_id: str) -> Candidate:
        with self.lock:
            found = self.candidates.get(candidate_id)
            if found is None:
                raise SimulatorError(404, "Not found")
            return found

    def matching(self, email: str | None) -> list[Candidate]:
        """Candidates in creation order, those with ``email`` only when given."""
        with self.lock:
            wanted = email.strip().lower() if email is not None else None
            return [
                c for c in self.candidates.values() if wanted is None or c.email.lower() == wanted
            ]

    def count(self, endpoint: str, status: int) -> None:
        with self.lock:
            self.requests[endpoint] += 1
            self.statuses[status] += 1

    def reset(self) -> None:
        with self.lock:
            self.candidates.clear()
            self.attributes.clear()
            self.requests.clear()
            self.statuses.clear()


def _fresh_id(taken: t.Container[str]) -> str:
    """A short hex id like Workable's (``"ce4da98"``)."""
    while True:
        candidate_id = secrets.token_hex(4)[:7]
        if candidate_id not in taken:
            return candidate_id
