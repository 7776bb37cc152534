"""JSON documents of the simulated API, shaped like the documented samples.

``createdAt``, ``updatedAt``, ``startedAt``, ``submittedAt`` and ``attempt`` are not in
the documented samples; they are added as a real service keeps them.
"""

from __future__ import annotations

import datetime as dt
import typing as t

if t.TYPE_CHECKING:
    from collections.abc import Collection

    from plugin.sandbox.vendors.examspark.models import Attempt
    from plugin.sandbox.vendors.examspark.models import ExamConfig
    from plugin.sandbox.vendors.examspark.models import Item
    from plugin.sandbox.vendors.examspark.models import Session
    from plugin.sandbox.vendors.examspark.state import Workspace

Json = dict[str, t.Any]


def iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    return dt.datetime.fromtimestamp(moment, dt.UTC).isoformat(timespec="milliseconds")


def score(actual: float | None, maximum: float, *, scorable: bool = True) -> Json:
    return {"actual": actual, "isScorable": scorable, "min": 0, "max": maximum}


def percent(points: int | None, config: ExamConfig) -> float | int | None:
    if points is None:
        return None
    value = round(100 * points / len(config.items), 2)
    return int(value) if value == int(value) else value


def envelope(workspace: Workspace, session: Session, include: Collection[str] = ()) -> Json:
    """``{"examSession": ..., "examConfig": {"id"}}`` with the opted-in parts.

    Rendered under the workspace lock, so the document is a consistent snapshot.
    """
    config = workspace.config(session.config_id)
    with workspace.lock:
        return {
            "examSession": session_view(workspace, session, config, include),
            "examConfig": {"id": config.id},
        }


def session_view(
    workspace: Workspace, session: Session, config: ExamConfig, include: Collection[str]
) -> Json:
    counted = session.resolved(config.resolution)
    view: Json = {
        "id": session.id,
        "studentId": session.user_id,
        "maturity": session.maturity,
        "name": session.name,
        "scoreActual": percent(counted.points if counted else None, config),
        "scoreMin": 0,
        "scoreMax": 100,
        "examId": f"{config.exam_id}/exam#v0",
        "workspaceId": workspace.workspace_id,
        "attempt": session.current.number,
        "createdAt": iso(session.created_at),
        "updatedAt": iso(session.updated_at),
        "startedAt": iso(session.current.started_at),
        "submittedAt": iso(counted.submitted_at if counted else None),
    }
    if "responses" in include:
        view["responses"] = {item.id: _response(item, session.current) for item in config.items}
    if "results" in include:
        view["results"] = _results(config, counted, detailed=False)
    return view


def results_document(workspace: Workspace, session: Session) -> Json:
    """``GET /api/exam-session/:id/results``: item detail beside the session."""
    config = workspace.config(session.config_id)
    with workspace.lock:
        return _results_document(workspace, session, config)


def _results_document(workspace: Workspace, session: Session, config: ExamConfig) -> Json:
    counted = session.resolved(config.resolution)
    return {
        "examSession": {
            "id": session.id,
            "maturity": session.maturity,
            "name": session.name,
            "scoreActual": percent(counted.points if counted else None, config),
            "scoreMin": 0,
            "scoreMax": 100,
            "examId": config.exam_id,
            "examSessionData": {"lti": {"userId": session.user_id}},
        },
        "results": _results(config, counted, detailed=True),
        "examConfig": {"id": config.id},
    }


def config_view(config: ExamConfig, *, with_keys: bool) -> Json:
    view: Json = {
        "id": config.id,
        "name": config.name,
        "examId": config.exam_id,
        "examName": config.exam_name,
        "config": {
            "allowRetakes": config.allow_retakes,
            "attemptResolutionStrategy": {"mode": config.resolution},
        },
    }
    if with_keys:
        view["items"] = [
            {"id": item.id, "name": item.name, "options": list(item.options), "key": item.key}
            for item in config.items
        ]
    return view


def _response(item: Item, attempt: Attempt) -> Json:
    chosen = attempt.responses.get(item.id)
    if chosen is None:
        return {}
    return {"questions": [{"id": item.question_id, "response": {"options": [{"index": chosen}]}}]}


def _results(config: ExamConfig, attempt: Attempt | None, *, detailed: bool) -> Json:
    if attempt is None or attempt.points is None:
        return {"items": [], "objectives": {}, "points": score(None, len(config.items))}
    items: list[Json] = []
    objectives: dict[str, Json] = {}
    for item in config.items:
        earned = 1 if attempt.responses.get(item.id) == item.key else 0
        entry: Json = {"id": item.id, "score": score(earned, 1)}
        if detailed:
            entry.update(_item_detail(item, attempt))
        items.append(entry)
        objective = objectives.setdefault(
            item.objective_id, {"id": item.objective_id, "scores": []}
        )
        objective["scores"].append(score(earned, 1))
        if detailed:
            objective.update(text=item.objective_text, abbreviation=item.abbreviation)
    for objective in objectives.values():
        earned = sum(part["actual"] for part in objective["scores"])
        objective["score"] = score(earned, len(objective["scores"]))
    return {
        "items": items,
        "objectives": objectives,
        "points": score(attempt.points, len(config.items)),
    }


def _item_detail(item: Item, attempt: Attempt) -> Json:
    chosen = attempt.responses.get(item.id)
    options = [
        {
            "id": f"{item.question_id}{index}",
            "content": f"<p>{text}</p>",
            "isKey": index == item.key,
            "index": index,
        }
        for index, text in enumerate(item.options)
    ]
    question = {
        "id": item.question_id,
        "interactionType": "choice",
        "keys": [{"value": options[item.key]["id"], "index": item.key}],
        "options": options,
        "response": {"options": [{"index": chosen}]} if chosen is not None else {},
    }
    return {
        "sk": "item#v0",
        "name": item.name,
        "alignmentIds": [item.objective_id],
        "questions": [question],
    }
