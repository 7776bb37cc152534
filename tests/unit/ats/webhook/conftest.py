"""A served webhook receiver, its control client and a sink pointed at it."""

from __future__ import annotations

import datetime as dt
import decimal
import typing as t

import pytest

from mappings.result import AssessmentResult
from mappings.result import ResultStatus
from plugin.ats.base import AtsPayload
from plugin.ats.base import CandidateRef
from plugin.ats.webhook import WebhookConfig
from plugin.ats.webhook import WebhookSink
from plugin.sandbox.ats.webhook import SandboxWebhookReceiver
from plugin.sandbox.ats.webhook import create_webhook_receiver_app
from plugin.sandbox.server import serve_app

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from mappings.ats import FieldWrite
    from plugin.sandbox.server import ServedApp

SECRET = "whsec-0123456789abcdef"
EMAIL = "grace.hopper@example.com"
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


class Receiver:
    def __init__(self, served: ServedApp) -> None:
        self.served = served
        self.sandbox = SandboxWebhookReceiver(served.url)
        self.url = self.sandbox.hook_url

    def sink(self, *, secret: str = SECRET, **options: t.Any) -> WebhookSink:
        config = WebhookConfig.from_mapping({"url": self.url, "secret": secret})
        return WebhookSink(config, **options)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serve_app(create_webhook_receiver_app(secret=SECRET)) as served:
        yield Receiver(served)


def payload(
    writes: tuple[FieldWrite, ...] = (),
    *,
    result_id: str = "result-1",
    candidate_id: str | None = None,
    result: dict[str, t.Any] | None = None,
) -> AtsPayload:
    canonical = result if result is not None else {"vendor": "mettl", "percent": "82.5"}
    return AtsPayload(result_id, CandidateRef(EMAIL, candidate_id), writes, canonical)
