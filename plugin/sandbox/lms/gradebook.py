"""Line items and scores: the platform's gradebook, independent of HTTP."""

from __future__ import annotations

import datetime
import typing as t

from plugin.sandbox.lms.ags_schema import line_item_json
from plugin.sandbox.lms.errors import ApiError
from plugin.sandbox.lms.models import LineItem
from plugin.sandbox.lms.models import Score
from plugin.sandbox.lms.score_order import check_newer
from plugin.sandbox.lms.score_order import held_time
from plugin.sandbox.lms.state import new_id
from plugin.sandbox.lms.urls import line_item_url

if t.TYPE_CHECKING:
    from plugin.sandbox.lms.models import JsonDict
    from plugin.sandbox.lms.profiles import LmsProfile
    from plugin.sandbox.lms.state import LmsState


def _check_link(state: LmsState, context_id: str, link_id: str | None) -> None:
    if link_id is None:
        return
    link = state.resource_links.get(link_id)
    if link is None or link.context_id != context_id:
        raise ApiError(400, "invalid_request", "resourceLinkId is not a link of this context")


def add_line_item(
    state: LmsState,
    profile: LmsProfile,
    context_id: str,
    fields: JsonDict,
    *,
    created_by: str | None = None,
) -> LineItem:
    """Create a line item in ``context_id`` from validated ``fields``.

    :param created_by: client id of the tool creating it through AGS; ``None`` for the teacher.
    :raises ApiError: 400 when ``resource_link_id`` is not a link of the context.
    """
    with state.lock:
        _check_link(state, context_id, fields.get("resource_link_id"))
        item = LineItem(id=new_id("li"), context_id=context_id, created_by=created_by, **fields)
        if profile.line_items_are_assignments:
            item.assignment_id = new_id("asg")
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
    profile: LmsProfile,
    item: LineItem,
    *,
    user_id: str,
    timestamp: datetime.datetime,
    body: JsonDict,
) -> Score:
    """Store a score unless it is not newer than the last one for that user (see score_order).

    :raises ApiError: 400 for a user who is not a member of the context; the profile's refusal
        (409 by default) for a stale score.
    """
    order = profile.score_order
    received = datetime.datetime.now(datetime.UTC)
    with state.lock:
        if user_id not in state.memberships.get(item.context_id, {}):
            raise ApiError(400, "invalid_request", "userId is not a member of this context")
        check_newer(
            order, state.latest_scores.get((item.id, user_id)), timestamp, body["timestamp"]
        )
        score = Score(
            line_item_id=item.id,
            user_id=user_id,
            timestamp=timestamp,
            body=dict(body),
            held_at=held_time(order, body, timestamp, received),
        )
        state.scores.append(score)
        state.latest_scores[(item.id, user_id)] = score
    return score


def gradebook_view(
    state: LmsState, profile: LmsProfile, issuer: str, context_id: str | None
) -> JsonDict:
    """Return every line item and the latest score per (line item, user).

    Line items are named by their spec-shaped URL (without Moodle's ``type_id``). With the
    profile's ``record_line_item_origin`` each says which tool created it (``created_by_tool``,
    ``None`` for the teacher's columns); with ``line_items_are_assignments`` the view lists the
    assignments the line items are coupled to.

    :param context_id: restrict to one context; ``None`` for all.
    """
    with state.lock:
        items = [i for i in state.line_items.values() if context_id in (None, i.context_id)]
        ids = {i.id for i in items}
        latest = [s for key, s in state.latest_scores.items() if key[0] in ids]
        stored = sum(1 for s in state.scores if s.line_item_id in ids)
    view: JsonDict = {
        "context_id": context_id,
        "line_items": [_line_item_view(i, profile, issuer) for i in items],
        "scores": [
            {"line_item_id": s.line_item_id, "user_id": s.user_id, **s.body} for s in latest
        ],
        "score_count": stored,
    }
    if profile.line_items_are_assignments:
        view["assignments"] = [_assignment_view(i) for i in items if i.assignment_id]
    return view


def _line_item_view(item: LineItem, profile: LmsProfile, issuer: str) -> JsonDict:
    rendered = line_item_json(item, line_item_url(issuer, item.context_id, item.id))
    rendered["context_id"] = item.context_id
    if profile.record_line_item_origin:
        rendered["created_by_tool"] = item.created_by
    return rendered


def _assignment_view(item: LineItem) -> JsonDict:
    return {
        "id": item.assignment_id,
        "name": item.label,
        "points_possible": item.score_maximum,
        "line_item_id": item.id,
        "created_by_tool": item.created_by,
    }
