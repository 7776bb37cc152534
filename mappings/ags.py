"""Canonical result + per-assessment policy -> LTI AGS Score.

Spec: https://www.imsglobal.org/spec/lti-ags/v2p0#score-publish-service (Score
object: ``userId``, ``scoreGiven``, ``scoreMaximum``, ``comment``, ``timestamp``,
``activityProgress``, ``gradingProgress``, ``submission.startedAt/submittedAt``).

The Score built here has no ``timestamp``: it says when the score is published, which only
the sender knows, and :meth:`lti.ags.client.AgsClient.post_score` sets it as it sends (a
platform keeps the score with the latest one; Moodle stamps a score without ``scoreGiven``
with the time it received it, so the vendor's finish time would be refused as older).  The
payload is then the same for the same result, and the outbox does not send again what the
gradebook already holds.  The vendor's times go in ``submission`` and, for the finish time,
in Canvas's submission extension (:data:`CANVAS_SUBMISSION`, which other platforms ignore).

Status -> progress (tested row by row in ``tests/unit/mappings/test_ags.py``):

============================================  ================  ==============  =====
result                                        activityProgress  gradingProgress score
============================================  ================  ==============  =====
not_started                                   Initialized       NotReady        no
cancelled                                     Initialized       NotReady        no
in_progress, start time unknown               Started           NotReady        no
in_progress, start time known                 InProgress        NotReady        no
submitted (vendor grading)                    Submitted         Pending         no
completed, no score yet                       Completed         Pending         no
expired, no score                             Completed         NotReady        no
terminated, no score                          Completed         Failed          no
completed/expired/terminated, scored          Completed         FullyGraded     yes
... needs manual grading, held (default)      Completed         PendingManual   no
... needs manual grading, not held            Completed         PendingManual   yes
... proctoring review pending, held           Completed         Pending         no
============================================  ================  ==============  =====

"Scored" means a score can be computed: in ``points`` mode from ``score``/``max_score``,
otherwise (or when the result has no maximum) from ``percent``. The score is scaled to
``max_points`` when the policy sets it (else to the result's maximum in ``points`` mode
and to 100 in ``percent`` mode), clamped to ``0..maximum`` and rounded half up.
"""

from __future__ import annotations

import dataclasses
import decimal
import re
import string
import typing as t

from mappings.canonical_fields import format_utc
from mappings.canonical_fields import plain_number
from mappings.result import AssessmentResult
from mappings.result import ProctoringStatus
from mappings.result import ResultStatus

_HUNDRED = decimal.Decimal(100)
_ZERO = decimal.Decimal(0)
_MAX_POINTS = decimal.Decimal(10) ** 9

ScoreMode = t.Literal["points", "percent"]

#: Placeholders a comment template may use (``string.Template`` syntax: ``$percent``).
COMMENT_PLACEHOLDERS = frozenset(
    {"vendor", "status", "score", "max_score", "percent", "level", "passed", "test_name"}
)

#: Canvas's score extension; its ``submitted_at`` is when the learner submitted
#: (https://canvas.instructure.com/doc/api/score.html).
CANVAS_SUBMISSION = "https://canvas.instructure.com/lti/submission"

#: A name alone between one or two braces (``{score}``, ``{{ score }}``): a placeholder of
#: another template language (``str.format``, Jinja, Mustache) that would be posted as is.
_BRACE_PLACEHOLDER = re.compile(r"\{\{?\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}?\}")

_OPEN_PROGRESS: dict[ResultStatus, tuple[str, str]] = {
    ResultStatus.NOT_STARTED: ("Initialized", "NotReady"),
    ResultStatus.CANCELLED: ("Initialized", "NotReady"),
    ResultStatus.SUBMITTED: ("Submitted", "Pending"),
}
_UNSCORED_GRADING: dict[ResultStatus, str] = {
    ResultStatus.COMPLETED: "Pending",
    ResultStatus.EXPIRED: "NotReady",
    ResultStatus.TERMINATED: "Failed",
}


@dataclasses.dataclass(frozen=True)
class ScorePolicy:
    """How one assessment's results become gradebook scores.

    :param score_mode: ``"percent"`` (from the result's percentage) or ``"points"``
        (from its score and maximum).
    :param max_points: the line item's maximum to scale to; ``None`` keeps the
        result's maximum (points) or 100 (percent).
    :param rounding_places: decimal places of ``scoreGiven`` (0..6).
    :param hold_for_manual_grading: send no score while questions await a grader.
    :param hold_for_proctoring_review: send no score while a proctoring review is pending.
    :param comment_template: ``string.Template`` text for ``comment`` (``$name`` or
        ``${name}``, see :data:`COMMENT_PLACEHOLDERS`); no comment when ``None``.  A name
        alone between one or two braces (``{score}``, ``{{ score }}``) is refused; other
        braces (``{}``, ``{ note: }``) are literal text.
    :raises ValueError: for any invalid setting.
    """

    score_mode: ScoreMode = "percent"
    max_points: decimal.Decimal | None = None
    rounding_places: int = 2
    hold_for_manual_grading: bool = True
    hold_for_proctoring_review: bool = False
    comment_template: str | None = None

    def __post_init__(self) -> None:
        if self.score_mode not in ("points", "percent"):
            raise ValueError(f"score_mode must be 'points' or 'percent', not {self.score_mode!r}.")
        if self.max_points is not None:
            object.__setattr__(self, "max_points", _positive_points(self.max_points))
        if type(self.rounding_places) is not int or not 0 <= self.rounding_places <= 6:
            raise ValueError("rounding_places must be a whole number from 0 to 6.")
        if self.comment_template is not None:
            _check_template(self.comment_template)


def _positive_points(value: t.Any) -> decimal.Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | decimal.Decimal | str):
        raise ValueError("max_points must be a number.")
    try:
        points = decimal.Decimal(str(value))
    except decimal.InvalidOperation as error:
        raise ValueError("max_points must be a number.") from error
    if not points.is_finite() or not _ZERO < points <= _MAX_POINTS:
        raise ValueError("max_points must be greater than 0 and at most 1000000000.")
    return points


def _check_template(text: str) -> None:
    template = string.Template(text)
    allowed = ", ".join(f"${name}" for name in sorted(COMMENT_PLACEHOLDERS))
    if not template.is_valid():
        raise ValueError("comment_template is not a valid template (use $name placeholders).")
    literal = template.pattern.sub("", text)  # the text once $ placeholders are taken out
    braced = sorted({match.group() for match in _BRACE_PLACEHOLDER.finditer(literal)})
    if braced:
        raise ValueError(
            f"comment_template uses brace placeholders ({', '.join(braced)}), which are not"
            f" filled in; write $name or ${{name}} (string.Template). Placeholders: {allowed}."
        )
    unknown = set(template.get_identifiers()) - COMMENT_PLACEHOLDERS
    if unknown:
        raise ValueError(f"Unknown placeholders {sorted(unknown)}; allowed: {allowed}.")


def build_score(
    result: AssessmentResult,
    policy: ScorePolicy,
    *,
    user_id: str,
) -> dict[str, t.Any]:
    """Build the AGS Score JSON for ``result``, less its ``timestamp`` (set by the sender).

    :param user_id: the LTI user id (``sub``) of the learner.
    :raises ValueError: for an empty ``user_id``.
    """
    if not isinstance(user_id, str) or not user_id.strip():
        raise ValueError("user_id must be a non-empty string.")
    points = _points(result, policy)
    activity, grading, give = _progress(result, policy, scored=points is not None)
    score: dict[str, t.Any] = {
        "userId": user_id,
        "activityProgress": activity,
        "gradingProgress": grading,
    }
    if give and points is not None:
        score["scoreGiven"], score["scoreMaximum"] = float(points[0]), float(points[1])
    if policy.comment_template is not None:
        score["comment"] = render_comment(policy.comment_template, result)
    submission = {
        key: format_utc(moment)
        for key, moment in (("startedAt", result.started_at), ("submittedAt", result.finished_at))
        if moment is not None
    }
    if submission:
        score["submission"] = submission
    if result.finished_at is not None:
        score[CANVAS_SUBMISSION] = {"submitted_at": format_utc(result.finished_at)}
    return score


def _points(
    result: AssessmentResult, policy: ScorePolicy
) -> tuple[decimal.Decimal, decimal.Decimal] | None:
    """Return ``(scoreGiven, scoreMaximum)`` or ``None`` when there is nothing to give."""
    score, top = result.score, result.max_score
    if policy.score_mode == "points" and score is not None and top is not None and top > 0:
        maximum = policy.max_points or top
        given = score if policy.max_points is None else score / top * maximum
    elif result.percent is not None:
        maximum = policy.max_points or _HUNDRED
        given = result.percent / _HUNDRED * maximum
    else:
        return None
    step = decimal.Decimal(1).scaleb(-policy.rounding_places)
    given = min(max(given, _ZERO), maximum)
    rounded = given.quantize(step, rounding=decimal.ROUND_HALF_UP)
    if rounded > maximum:  # a maximum with more places than the rounding keeps
        rounded = given.quantize(step, rounding=decimal.ROUND_DOWN)
    return rounded, maximum


def _progress(
    result: AssessmentResult, policy: ScorePolicy, *, scored: bool
) -> tuple[str, str, bool]:
    """Return ``(activityProgress, gradingProgress, send the score)`` (module table)."""
    status = result.status
    if status is ResultStatus.IN_PROGRESS:
        return ("Started" if result.started_at is None else "InProgress"), "NotReady", False
    if status in _OPEN_PROGRESS:
        activity, grading = _OPEN_PROGRESS[status]
        return activity, grading, False
    if not scored:
        return "Completed", _UNSCORED_GRADING[status], False
    if result.needs_manual_grading:
        return "Completed", "PendingManual", not policy.hold_for_manual_grading
    proctoring = result.proctoring
    if (
        policy.hold_for_proctoring_review
        and proctoring is not None
        and proctoring.status is ProctoringStatus.PENDING
    ):
        return "Completed", "Pending", False
    return "Completed", "FullyGraded", True


def render_comment(template: str, result: AssessmentResult) -> str:
    """Fill a comment template (:data:`COMMENT_PLACEHOLDERS`) from ``result``."""
    values = {
        "vendor": result.vendor,
        "status": result.status.value,
        "score": plain_number(result.score),
        "max_score": plain_number(result.max_score),
        "percent": plain_number(result.percent),
        "level": result.level or "",
        "passed": "" if result.passed is None else ("yes" if result.passed else "no"),
        "test_name": result.test_name or "",
    }
    return string.Template(template).safe_substitute(values)
