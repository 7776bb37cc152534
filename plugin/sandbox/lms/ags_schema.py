"""Wire formats of AGS 2.0 line items, scores and results (https://www.imsglobal.org/spec/lti-ags/v2p0)."""

from __future__ import annotations

import datetime
import re
import typing as t

from plugin.sandbox.lms import vocab
from plugin.sandbox.lms.canvas_ext import SUBMISSION_TYPE
from plugin.sandbox.lms.errors import ApiError
from plugin.sandbox.lms.urls import below

if t.TYPE_CHECKING:
    from plugin.sandbox.lms.models import JsonDict
    from plugin.sandbox.lms.models import LineItem
    from plugin.sandbox.lms.models import Score

# AGS 2.0 section 3.4.5: ISO 8601 with sub-second precision and a time zone offset.
_SCORE_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+(Z|[+-]\d{2}:\d{2})$")


def _bad(description: str) -> ApiError:
    return ApiError(400, "invalid_request", description)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _optional_str(body: JsonDict, key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise _bad(f"{key} must be a string")
    return value


def _optional_datetime(body: JsonDict, key: str) -> str | None:
    value = _optional_str(body, key)
    if value is not None:
        try:
            datetime.datetime.fromisoformat(value)
        except ValueError as exc:
            raise _bad(f"{key} must be an ISO 8601 date-time") from exc
    return value


def line_item_fields(body: JsonDict) -> JsonDict:
    """Validate a line item body and return the fields of :class:`LineItem` it sets.

    :raises ApiError: 400 naming the bad field.
    """
    label = body.get("label")
    if not isinstance(label, str) or not label.strip():
        raise _bad("label must be a non-empty string")
    maximum = body.get("scoreMaximum")
    if not _number(maximum) or t.cast("float", maximum) <= 0:
        raise _bad("scoreMaximum must be a number > 0")
    return {
        "label": label,
        "score_maximum": float(t.cast("float", maximum)),
        "resource_id": _optional_str(body, "resourceId"),
        "tag": _optional_str(body, "tag"),
        "resource_link_id": _optional_str(body, "resourceLinkId"),
        "start_date_time": _optional_datetime(body, "startDateTime"),
        "end_date_time": _optional_datetime(body, "endDateTime"),
    }


def line_item_json(item: LineItem, url: str) -> JsonDict:
    """Render a line item; ``url`` is its own URL (its ``id``)."""
    rendered: JsonDict = {"id": url, "label": item.label, "scoreMaximum": item.score_maximum}
    optional = {
        "resourceId": item.resource_id,
        "tag": item.tag,
        "resourceLinkId": item.resource_link_id,
        "startDateTime": item.start_date_time,
        "endDateTime": item.end_date_time,
        SUBMISSION_TYPE: item.submission_type,
    }
    rendered.update({key: value for key, value in optional.items() if value is not None})
    return rendered


def parse_score(body: JsonDict) -> tuple[str, datetime.datetime]:
    """Validate a score body.

    :return: the ``userId`` and the parsed ``timestamp``.
    :raises ApiError: 400 naming the bad field.
    """
    user_id = body.get("userId")
    if not isinstance(user_id, str) or not user_id:
        raise _bad("userId must be a non-empty string")
    if body.get("activityProgress") not in vocab.ACTIVITY_PROGRESS:
        raise _bad(f"activityProgress must be one of {sorted(vocab.ACTIVITY_PROGRESS)}")
    if body.get("gradingProgress") not in vocab.GRADING_PROGRESS:
        raise _bad(f"gradingProgress must be one of {sorted(vocab.GRADING_PROGRESS)}")
    _check_score_values(body)
    _optional_str(body, "comment")
    return user_id, _timestamp(body.get("timestamp"))


def _check_score_values(body: JsonDict) -> None:
    given, maximum = body.get("scoreGiven"), body.get("scoreMaximum")
    if maximum is not None and (not _number(maximum) or t.cast("float", maximum) <= 0):
        raise _bad("scoreMaximum must be a number > 0")
    if given is None:
        return
    if not _number(given) or t.cast("float", given) < 0:
        raise _bad("scoreGiven must be a number >= 0")
    if maximum is None:
        raise _bad("scoreGiven requires scoreMaximum")


def _timestamp(value: object) -> datetime.datetime:
    if not isinstance(value, str) or not _SCORE_TIMESTAMP.match(value):
        raise _bad("timestamp must be ISO 8601 with fractional seconds and a UTC offset")
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError as exc:
        raise _bad("timestamp is not a valid date-time") from exc


def result_json(score: Score, line_item_url: str) -> JsonDict:
    """Render the result a score produces (AGS 2.0 section 3.5)."""
    body = score.body
    rendered: JsonDict = {
        "id": below(line_item_url, f"/results/{score.user_id}"),
        "scoreOf": line_item_url,
        "userId": score.user_id,
    }
    if body.get("scoreGiven") is not None:
        rendered["resultScore"] = body["scoreGiven"]
        rendered["resultMaximum"] = body["scoreMaximum"]
    if body.get("comment") is not None:
        rendered["comment"] = body["comment"]
    return rendered
