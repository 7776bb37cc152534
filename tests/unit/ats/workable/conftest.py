"""A served Workable simulator, its control client and a sink pointed at it."""

from __future__ import annotations

import datetime as dt
import decimal
import secrets
import typing as t

import pytest

from mappings.ats import build_field_writes
from mappings.ats import plan_field_writes
from mappings.result import AssessmentResult
from mappings.result import ResultStatus
from plugin.ats.base import AtsPayload
from plugin.ats.base import CandidateRef
from plugin.ats.workable import WorkableConfig
from plugin.ats.workable import WorkableSink
from plugin.sandbox.ats.workable import SandboxWorkable
from plugin.sandbox.ats.workable import create_workable_app
from plugin.sandbox.server import serve_app

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterator

    from mappings.ats import FieldWrite

EMAIL = "ada.lovelace@example.com"
ATTRIBUTES: list[dict[str, t.Any]] = [
    {"id": "score", "label": "Score", "type": "numeric"},
    {"id": "passed", "label": "Passed", "type": "boolean"},
    {
        "id": "level",
        "label": "Level",
        "type": "dropdown",
        "choices": [{"id": "c-exp", "body": "Expert"}, {"id": "c-beg", "body": "Beginner"}],
    },
    {"id": "completed", "label": "Completed on", "type": "date"},
    {"id": "summary", "label": "Summary", "type": "short_text"},
    {"id": "notes", "label": "Notes", "type": "free_text"},
    {"id": "old", "label": "Old", "type": "short_text", "enabled": False},
]
FIELD_MAP = {
    "target": "workable",
    "fields": {
        "score_percent": {"key": "score", "type": "numeric"},
        "passed": {"key": "passed", "type": "boolean"},
        "level": {"key": "level", "type": "dropdown", "options": {"Expert": "c-exp"}},
        "completed_at": {"key": "completed", "type": "date"},
        "summary": {"key": "summary", "type": "short_text"},
        "status": {"key": "notes", "type": "free_text"},
    },
}
RESULT = AssessmentResult(
    vendor="mettl",
    attempt_ref="attempt-1",
    status=ResultStatus.COMPLETED,
    test_name="Java",
    finished_at=dt.datetime(2025, 3, 4, 23, 30, tzinfo=dt.UTC),
    score=decimal.Decimal("41.25"),
    max_score=decimal.Decimal("50"),
    percent=decimal.Decimal("82.5"),
    passed=True,
    level="Expert",
)


class Workable:
    """A served simulator with one token, and how to reach it (100 requests per
    interval unless ``rate_limit`` is given, so that only pacing tests wait)."""

    def __init__(self, **options: t.Any) -> None:
        self.token = f"wk-{secrets.token_hex(12)}"
        options.setdefault("rate_limit", 100)
        app = create_workable_app(subdomain="acme", token=self.token, **options)
        self.served = serve_app(app)
        self.url = self.served.url
        self.sandbox = SandboxWorkable(self.url)
        for attribute in ATTRIBUTES:
            self.sandbox.add_attribute(**attribute)

    def config(self, **settings: str) -> WorkableConfig:
        values = {"subdomain": "acme", "token": self.token, "base_url": self.url, **settings}
        return WorkableConfig.from_mapping(values)

    def sink(self, **settings: str) -> WorkableSink:
        return WorkableSink(self.config(**settings))


@pytest.fixture
def workable_factory() -> Iterator[Callable[..., Workable]]:
    started: list[Workable] = []

    def start(**options: t.Any) -> Workable:
        started.append(Workable(**options))
        return started[-1]

    yield start
    for served in started:
        served.served.shutdown()


@pytest.fixture
def workable(workable_factory: Callable[..., Workable]) -> Workable:
    return workable_factory()


def mapped_writes() -> tuple[FieldWrite, ...]:
    """The writes of :data:`FIELD_MAP` for :data:`RESULT`: one of each attribute type."""
    return tuple(build_field_writes(RESULT, plan_field_writes(FIELD_MAP)))


def payload(
    writes: tuple[FieldWrite, ...], *, email: str = EMAIL, candidate_id: str | None = None
) -> AtsPayload:
    return AtsPayload("result-1", CandidateRef(email, candidate_id), writes, {"vendor": "mettl"})
