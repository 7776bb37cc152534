"""``nextToken`` paging of the list routes, in the manner of the vendor's key-value store.

A page holds at most ``limit`` items (query parameter, 1..100, default 25).  A full
page always carries a ``nextToken``, even when nothing follows, so the page after it
can be empty.  Tokens are issued by the simulator only, tied to the list and filter
they came from, and expire after ``Settings.page_token_ttl_s``.
"""

from __future__ import annotations

import json
import statistics
import typing as t

from flask import request

from plugin.sandbox.vendors.examspark import views
from plugin.sandbox.vendors.examspark.errors import ApiError

if t.TYPE_CHECKING:
    from collections.abc import Collection
    from collections.abc import Mapping

    from plugin.sandbox.vendors.examspark.state import Workspace

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
Json = dict[str, t.Any]


def limit() -> int:
    """:raises ApiError: 400 unless ``limit`` is an integer in 1..100."""
    raw = request.args.get("limit", str(DEFAULT_LIMIT))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(400, f"limit must be an integer between 1 and {MAX_LIMIT}")
    return int(raw)


def list_sessions(
    workspace: Workspace, body: Mapping[str, t.Any], include: Collection[str]
) -> Json:
    config_ids = _config_filter(body)
    filter_key = json.dumps(sorted(config_ids) if config_ids is not None else None)
    after = _position(workspace, body, "sessions", filter_key)
    size = limit()
    with workspace.lock:
        matching = sorted(
            (
                s
                for s in workspace.sessions.values()
                if config_ids is None or s.config_id in config_ids
            ),
            key=lambda s: s.seq,
        )
        page = [s for s in matching if s.seq > after][:size]
        items = [views.envelope(workspace, s, include) for s in page]
        scores = [
            item["examSession"]["scoreActual"]
            for item in (views.envelope(workspace, s) for s in matching)
        ]
    token = None
    if len(page) == size:
        token = workspace.issue_page_token("sessions", filter_key, page[-1].id, page[-1].seq)
    return {
        "total": len(matching),
        "nextToken": token,
        "aggregations": _aggregations([s for s in scores if s is not None]),
        "metadata": None,
        "items": items,
    }


def list_exams(workspace: Workspace, body: Mapping[str, t.Any]) -> Json:
    after = _position(workspace, body, "exams", "")
    size = limit()
    with workspace.lock:
        configs = list(workspace.configs.values())
    exams: dict[str, Json] = {}
    for config in configs:
        entry = exams.setdefault(
            config.exam_id,
            {
                "exam": {
                    "id": config.exam_id,
                    "name": config.exam_name,
                    "description": config.description,
                },
                "examConfigs": [],
            },
        )
        entry["examConfigs"].append({"id": config.id, "name": config.name})
    ordered = list(exams.values())
    page = ordered[after : after + size]
    token = None
    if len(page) == size:
        token = workspace.issue_page_token("exams", "", page[-1]["exam"]["id"], after + size)
    return {"total": len(ordered), "nextToken": token, "items": page}


def _config_filter(body: Mapping[str, t.Any]) -> set[str] | None:
    spec = body.get("filter")
    if spec is None:
        return None
    ids = (spec.get("examConfigIds") or {}).get("include") if isinstance(spec, dict) else None
    if ids is None and isinstance(spec, dict) and "examConfigIds" not in spec:
        return None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise ApiError(400, "filter.examConfigIds.include must be a list of ids")
    return set(ids)


def _position(workspace: Workspace, body: Mapping[str, t.Any], kind: str, filter_key: str) -> int:
    token = body.get("nextToken")
    if token is None:
        return 0
    if not isinstance(token, str) or not token:
        raise ApiError(400, "Invalid nextToken")
    return workspace.redeem_page_token(token, kind, filter_key)


def _aggregations(scores: list[float]) -> Json:
    if not scores:
        return {
            "minScore": {"value": None},
            "avgScore": {"value": None},
            "maxScore": {"value": None},
        }
    return {
        "minScore": {"value": min(scores)},
        "avgScore": {"value": round(statistics.fmean(scores), 2)},
        "maxScore": {"value": max(scores)},
    }
