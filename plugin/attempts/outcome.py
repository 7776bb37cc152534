"""What a learner coming back from the vendor is shown: where their result stands."""

from __future__ import annotations

import dataclasses
import decimal
import json
import typing as t

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from lti.launch import is_http_url
from plugin.outbox.deliveries import LMS_TARGET
from plugin.outbox.deliveries import DeliveryStatus
from plugin.runtime.tokens import token_digest
from plugin.store.models import Attempt
from plugin.store.models import AttemptResult
from plugin.store.models import Delivery
from plugin.sync.service import FINAL_STATUSES

Gradebook = t.Literal["sent", "sending", "held", "not_graded"]


@dataclasses.dataclass(frozen=True)
class AttemptOutcome:
    """The attempt as its learner may see it.

    :ivar attempt_id: whose outcome it is, for the caller to check the browser may see it.
    :ivar stage: ``recording`` (no final result yet), ``graded`` (a final result with a
        score), ``finished`` (final, no score: e.g. awaiting manual grading).
    :ivar score: e.g. ``"81 / 100 (81%)"`` when there is one.
    :ivar gradebook: ``sent``, ``sending`` or ``held`` (needs a person) for the LMS grade,
        or ``not_graded`` when the activity accepts no grades (nothing is sent).
    """

    attempt_id: int
    stage: t.Literal["recording", "graded", "finished"]
    status: str | None
    score: str | None
    gradebook: Gradebook | None
    return_url: str | None
    #: The vendor's report of the attempt, when it gives one (an http(s) URL).
    report_url: str | None = None


def attempt_outcome(sessions: sessionmaker[Session], token: str) -> AttemptOutcome | None:
    """The outcome of the attempt named by ``token`` (None when there is no such attempt)."""
    with sessions() as session:
        attempt = session.scalar(select(Attempt).where(Attempt.token_hash == token_digest(token)))
        if attempt is None:
            return None
        result = session.get(AttemptResult, attempt.id)
        delivery = session.scalar(
            select(Delivery.status)
            .where(Delivery.attempt_id == attempt.id, Delivery.target == LMS_TARGET)
            .order_by(Delivery.version.desc())
            .limit(1)
        )
        attempt_id, return_url = attempt.id, attempt.return_url
    if result is None or result.status not in FINAL_STATUSES:
        return AttemptOutcome(
            attempt_id, "recording", result.status if result else None, None, None, return_url
        )
    canonical = json.loads(result.canonical_json)
    score = score_text(canonical)
    report = canonical.get("report_url")
    return AttemptOutcome(
        attempt_id,
        "graded" if score else "finished",
        result.status,
        score,
        _gradebook(delivery),
        return_url,
        report_url=report if isinstance(report, str) and is_http_url(report) else None,
    )


def score_text(canonical: t.Mapping[str, t.Any]) -> str | None:
    """``"81 / 100 (81%)"``, ``"81 / 100"`` or ``"81%"`` from a canonical result."""
    score, top, percent = (canonical.get(k) for k in ("score", "max_score", "percent"))
    parts = []
    if score is not None and top is not None:
        parts.append(f"{_plain(score)} / {_plain(top)}")
    if percent is not None:
        parts.append(f"({_plain(percent)}%)" if parts else f"{_plain(percent)}%")
    return " ".join(parts) or None


def _plain(value: t.Any) -> str:
    number = decimal.Decimal(str(value)).normalize()
    return f"{number:f}"


def _gradebook(status: str | None) -> Gradebook:
    """Where the grade of a final result stands (no delivery at all: none was planned)."""
    if status is None:
        return "not_graded"
    if status == DeliveryStatus.DELIVERED:
        return "sent"
    if status == DeliveryStatus.DEAD:
        return "held"
    return "sending"
