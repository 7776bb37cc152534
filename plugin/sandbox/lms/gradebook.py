"""Line items and scores: the platform's gradebook, independent of HTTP."""

from __future__ import annotations

import typing as t

from plugin.sandbox.lms.ags_schema import line_item_json
from plugin.sandbox.lms.errors import ApiError
from plugin.sandbox.lms.models import LineItem
from plugin.sandbox.lms.models import Score
from plugin.sandbox.lms.state import new_id
from plugin.sandbox.lms.urls import line_item_url

if t.TYPE_CHECKING:
    import datetime

    from plugin.sandbox.lms.models import JsonDict
    from plugin.sandbox.lms.state import LmsState


def _check_link(state: LmsState, context_id: str, link_id: str | None) -> None:
    if link_id is None:
        return
    link = state.resource_links.get(link_id)
    if link is None or link.context_id != context_id:
        raise ApiError(400, "invalid_request", "resourceLinkId is not a link of this context")


def add_line_item(state: LmsState, context_id: str, fields: JsonDict) -> LineItem:
    """Create a line item in ``context_id`` from validated ``fields``.

    :raises ApiError: 400 when ``resource_link_id`` is not a link of the context.
    """
    with state.lock:
        _check_link(state, context_id, fields.get("resource_link_id"))
        item = LineItem(id=new_id("li"), context_id=context_id, **fields)
        state.line_items[item.id] = item
    return item


def update_line_item(state: LmsState, item: LineItem, fields: JsonDict) -> None:
    """Replace a line item's fields; its resource link may not change.

    :raises ApiError: 400 on an attempt to move it to another resource link.
    """
    with state.lock:
        link_id = fields.get("resource_link_id")
        if link_id is not None and link_id != item.resource_link_id:
            raise ApiError(400, "invalid_request", "resourceLinkId cannot be changed")
        fields["resource_link_id"] = item.resource_link_id
        for name, value in fields.items():
            setattr(item, name, value)


def delete_line_item(state: LmsState, item: LineItem) -> None:
    """Remove a line item, its scores and its binding to a resource link."""
    with state.lock:
        state.line_items.pop(item.id, None)
        state.scores = [s for s in state.scores if s.line_item_id != item.id]
        for key in [k for k in state.latest_scores if k[0] == item.id]:
            del state.latest_scores[key]
        for link in state.resource_links.values():
            if link.line_item_id == item.id:
                link.line_item_id = None


def record_score(
    state: LmsState,
    item: LineItem,
    *,
    user_id: str,
    timestamp: datetime.datetime,
    body: JsonDict,
) -> Score:
    """Store a score unless it is older than (or as old as) the last one for that user.

    :raises ApiError: 400 for a user who is not a member of the context, 409 for a stale score.
    """
    with state.lock:
        if user_id not in state.memberships.get(item.context_id, {}):
            raise ApiError(400, "invalid_request", "userId is not a member of this context")
        last = state.latest_scores.get((item.id, user_id))
        if last is not None and timestamp <= last.timestamp:
            raise ApiError(
                409, "conflict", "timestamp is not after the last score for this user and item"
            )
        score = Score(line_item_id=item.id, user_id=user_id, timestamp=timestamp, body=dict(body))
        state.scores.append(score)
        state.latest_scores[(item.id, user_id)] = score
    return score


def gradebook_view(state: LmsState, issuer: str, context_id: str | None) -> JsonDict:
    """Return every line item and the latest score per (line item, user).

    :param context_id: restrict to one context; ``None`` for all.
    """
    with state.lock:
        items = [i for i in state.line_items.values() if context_id in (None, i.context_id)]
        ids = {i.id for i in items}
        latest = [s for key, s in state.latest_scores.items() if key[0] in ids]
        stored = sum(1 for s in state.scores if s.line_item_id in ids)
    return {
        "context_id": context_id,
        "line_items": [
            {
                **line_item_json(i, line_item_url(issuer, i.context_id, i.id)),
                "context_id": i.context_id,
            }
            for i in items
        ],
        "scores": [
            {"line_item_id": s.line_item_id, "user_id": s.user_id, **s.body} for s in latest
        ],
        "score_count": stored,
    }
