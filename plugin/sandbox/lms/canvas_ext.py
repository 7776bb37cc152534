"""Canvas's extensions of AGS: a line item's submission type and a score's submission.

See https://canvas.instructure.com/doc/api/line_items.html and
https://canvas.instructure.com/doc/api/score.html. Only a profile with ``canvas_extensions``
reads them; elsewhere they are unknown members a platform ignores.
"""

from __future__ import annotations

import datetime
import typing as t

from plugin.sandbox.lms.errors import ApiError

if t.TYPE_CHECKING:
    from plugin.sandbox.lms.models import JsonDict

SUBMISSION_TYPE = "https://canvas.instructure.com/lti/submission_type"
SUBMISSION = "https://canvas.instructure.com/lti/submission"

_LINE_ITEM_SUBMISSION_TYPES = ("none", "external_tool")
_SCORE_SUBMISSION_TYPES = (
    "none",
    "basic_lti_launch",
    "online_text_entry",
    "online_url",
    "online_upload",
)
_BOOLEANS = ("new_submission", "prioritize_non_tool_grade")
# Canvas allows ``submitted_at`` this far ahead of its clock.
_FUTURE_BUFFER = datetime.timedelta(minutes=1)


def _bad(description: str) -> ApiError:
    return ApiError(400, "invalid_request", description)


def line_item_extension_fields(body: JsonDict) -> JsonDict:
    """Return the :class:`LineItem` fields the submission type extension sets (``{}`` if none).

    :raises ApiError: 400 for a malformed extension.
    """
    value = body.get(SUBMISSION_TYPE)
    if value is None:
        return {}
    if not isinstance(value, dict) or value.get("type") not in _LINE_ITEM_SUBMISSION_TYPES:
        raise _bad(
            f"{SUBMISSION_TYPE} must be an object with type in {_LINE_ITEM_SUBMISSION_TYPES}"
        )
    if not isinstance(value.get("external_tool_url", ""), str):
        raise _bad("external_tool_url must be a URL")
    return {"submission_type": dict(value)}


def check_submission(body: JsonDict) -> None:
    """Validate a score's submission extension, if it has one.

    :raises ApiError: 400 naming the bad member, as Canvas answers.
    """
    value = body.get(SUBMISSION)
    if value is None:
        return
    if not isinstance(value, dict):
        raise _bad(f"{SUBMISSION} must be an object")
    for name in _BOOLEANS:
        if not isinstance(value.get(name, False), bool):
            raise _bad(f"{name} must be a boolean")
    if value.get("submission_type", "none") not in _SCORE_SUBMISSION_TYPES:
        raise _bad(f"submission_type must be one of {_SCORE_SUBMISSION_TYPES}")
    if not isinstance(value.get("submission_data", ""), str):
        raise _bad("submission_data must be a string")
    if not isinstance(value.get("content_items", []), list):
        raise _bad("content_items must be a list")
    _check_submitted_at(value.get("submitted_at"))


def _check_submitted_at(raw: object) -> None:
    if raw is None:
        return
    try:
        submitted = datetime.datetime.fromisoformat(t.cast("str", raw))
    except (TypeError, ValueError) as exc:
        raise _bad(f"Provided submitted_at timestamp of {raw} not a valid timestamp") from exc
    if submitted.tzinfo is None:
        raise _bad(f"Provided submitted_at timestamp of {raw} not a valid timestamp")
    if submitted > datetime.datetime.now(datetime.UTC) + _FUTURE_BUFFER:
        raise _bad(f"Provided submitted_at timestamp of {raw} in the future")
