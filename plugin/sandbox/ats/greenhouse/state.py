"""In-memory state of the simulated Greenhouse account (thread-safe: hold ``lock``)."""

from __future__ import annotations

import collections
import dataclasses
import itertools
import re
import threading
import typing as t

#: Value types the simulator validates (``docs/ats/greenhouse.md#field-definitions``; the ones
#: result maps use).
VALUE_TYPES = frozenset(
    {"short_text", "long_text", "number", "yes_no", "single_select", "date", "url"}
)


@dataclasses.dataclass
class CustomField:
    id: int
    name: str
    name_key: str
    value_type: str
    active: bool = True
    options: list[tuple[int, str]] = dataclasses.field(default_factory=list)

    def doc(self) -> dict[str, t.Any]:
        """The element of ``GET /v3/custom_fields``."""
        return {
            "id": self.id,
            "name": self.name,
            "name_key": self.name_key,
            "active": self.active,
            "field_type": "candidate",
            "value_type": self.value_type,
            "private": False,
            "required": False,
            "custom_field_options": [
                {"id": option_id, "name": name, "priority": index, "external_id": None}
                for index, (option_id, name) in enumerate(self.options)
            ],
        }

    def shown(self, value: t.Any) -> t.Any:
        """A stored value as a candidate read shows it (a select shows its option name)."""
        if self.value_type == "single_select":
            return dict(self.options).get(value, value)
        return value


@dataclasses.dataclass
class Candidate:
    id: int
    first_name: str
    last_name: str
    emails: list[str]
    applications: list[tuple[int, int]]  # (application id, job id)
    values: dict[int, t.Any] = dataclasses.field(default_factory=dict)
    notes: list[dict[str, t.Any]] = dataclasses.field(default_factory=list)

    def has_email(self, email: str) -> bool:
        return email.strip().lower() in (address.lower() for address in self.emails)

    def has_job(self, job_id: int) -> bool:
        return any(job == job_id for _, job in self.applications)


@dataclasses.dataclass
class Stats:
    requests: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    token_requests: int = 0
    tokens_issued: int = 0
    rate_limited: int = 0

    def doc(self) -> dict[str, t.Any]:
        return {
            "requests": dict(self.requests),
            "token_requests": self.token_requests,
            "tokens_issued": self.tokens_issued,
            "rate_limited": self.rate_limited,
        }


@dataclasses.dataclass
class GreenhouseState:
    """Candidates, custom fields, issued tokens and counters of one account."""

    lock: threading.RLock = dataclasses.field(default_factory=threading.RLock)
    fields: dict[int, CustomField] = dataclasses.field(default_factory=dict)
    candidates: dict[int, Candidate] = dataclasses.field(default_factory=dict)
    tokens: dict[str, float] = dataclasses.field(default_factory=dict)  # token -> expires at
    stats: Stats = dataclasses.field(default_factory=Stats)
    ids: t.Iterator[int] = dataclasses.field(default_factory=lambda: itertools.count(4000001))

    def reset(self) -> None:
        with self.lock:
            self.fields.clear()
            self.candidates.clear()
            self.tokens.clear()
            self.stats = Stats()

    def add_field(
        self,
        name: str,
        value_type: str,
        *,
        name_key: str | None = None,
        options: t.Sequence[str] = (),
        active: bool = True,
    ) -> CustomField:
        """:raises ValueError: unknown type, options on a non-select, or a key in use."""
        if value_type not in VALUE_TYPES:
            raise ValueError(f"value_type must be one of: {', '.join(sorted(VALUE_TYPES))}")
        if bool(options) != (value_type == "single_select"):
            raise ValueError("options are required for single_select fields and only there")
        key = name_key or re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
        with self.lock:
            if not key or any(field.name_key == key for field in self.fields.values()):
                raise ValueError(f"name_key {key!r} is empty or already used")
            field = CustomField(next(self.ids), name, key, value_type, active)
            field.options = [(next(self.ids), str(option)) for option in options]
            self.fields[field.id] = field
            return field

    def add_candidate(
        self, first_name: str, last_name: str, emails: list[str], job_ids: list[int]
    ) -> Candidate:
        with self.lock:
            applications = [(next(self.ids), job_id) for job_id in job_ids]
            candidate = Candidate(next(self.ids), first_name, last_name, emails, applications)
            self.candidates[candidate.id] = candidate
            return candidate

    def candidate_doc(self, candidate: Candidate) -> dict[str, t.Any]:
        """The candidate as the API shows it (custom fields keyed by ``name_key``)."""
        with self.lock:
            shown = [
                (self.fields[field_id], value)
                for field_id, value in candidate.values.items()
                if field_id in self.fields
            ]
            return {
                "id": candidate.id,
                "first_name": candidate.first_name,
                "last_name": candidate.last_name,
                "email_addresses": [
                    {"value": address, "type": "personal"} for address in candidate.emails
                ],
                "application_ids": [app_id for app_id, _ in candidate.applications],
                "custom_fields": {field.name_key: field.shown(v) for field, v in shown},
                "keyed_custom_fields": {
                    field.name_key: {
                        "name": field.name,
                        "type": field.value_type,
                        "value": field.shown(value),
                    }
                    for field, value in shown
                },
            }
