"""The simulated Mettl REST API v2 (every route signed with ak/ts/asgn)."""

from __future__ import annotations

import json
import typing as t

from flask import Blueprint
from flask import Response
from flask import request

from plugin.sandbox.vendors.mettl.auth import request_url
from plugin.sandbox.vendors.mettl.auth import signed_link
from plugin.sandbox.vendors.mettl.context import choice_param
from plugin.sandbox.vendors.mettl.context import current
from plugin.sandbox.vendors.mettl.context import int_param
from plugin.sandbox.vendors.mettl.context import json_response
from plugin.sandbox.vendors.mettl.context import success
from plugin.sandbox.vendors.mettl.errors import SimulatorError
from plugin.sandbox.vendors.mettl.schedule_edit import KEPT_URLS
from plugin.sandbox.vendors.mettl.schedule_edit import schedule_changes
from plugin.sandbox.vendors.mettl.state import SORTS

if t.TYPE_CHECKING:
    from collections.abc import Mapping

    from plugin.sandbox.vendors.mettl.state import Schedule

bp = Blueprint("mettl_api", __name__)

MAX_LIMIT = 100
MAX_REGISTRATIONS = 20


@bp.get("/v2/account")
def account() -> Response:
    simulator = current()
    simulator.authenticate()
    return success(accountInfo={"name": simulator.account_name, "email": "admin@sandbox.test"})


@bp.get("/v2/schedules")
def schedules() -> Response:
    simulator = current()
    params = simulator.authenticate()
    limit = int_param(params, "limit", 20, 1, MAX_LIMIT)
    offset = int_param(params, "offset", 0, 0)
    with simulator.state.lock:
        listed = list(simulator.state.schedules.values())
        _check_offset(offset, len(listed))
        docs = [schedule_doc(s) for s in listed[offset : offset + limit]]
    return success(schedules=docs, paging=_paging(params, offset, limit, len(listed)))


@bp.post("/v2/schedules/<access_key>/edit")
def edit_schedule(access_key: str) -> Response:
    """Edit Schedule: apply the ``sc`` settings given (``schedule_edit`` says which)."""
    simulator = current()
    params = simulator.authenticate()
    with simulator.state.lock:
        schedule = simulator.state.schedule(access_key)
        changes = schedule_changes(params.get("sc"))
        if "name" in changes:
            schedule.name = changes["name"].strip()
        for key, attr in KEPT_URLS.items():
            if key in changes:
                setattr(schedule, attr, changes[key] or None)
        return success(editedSchedule=schedule_doc(schedule))


@bp.post("/v2/schedules/<access_key>/candidates")
def register(access_key: str) -> Response:
    simulator = current()
    params = simulator.authenticate()
    schedule = simulator.state.schedule(access_key)
    rows = _registration_rows(params.get("rd"))
    lifetime = int_param(params, "timeLimitInSec", 0, 1) or None
    expires = simulator.clock() + lifetime if lifetime else None
    return success(registrationStatus=[_register_row(schedule, row, expires) for row in rows])


@bp.get("/v2/schedules/<access_key>/candidates")
def results(access_key: str) -> Response:
    simulator = current()
    params = simulator.authenticate()
    limit = int_param(params, "limit", 20, 1, MAX_LIMIT)
    offset = int_param(params, "offset", 0, 0)
    sort = choice_param(params, "sort", "testStartTime", SORTS)
    order = choice_param(params, "sort_order", "desc", ("asc", "desc"))
    choice_param(params, "qr", "false", ("true", "false"))
    recommend = _recommendation(params)
    with simulator.state.lock:
        view = simulator.state.schedule(access_key).view(sort, order)
        _check_offset(offset, len(view))
        docs = [shown(c.doc, recommend) for c in view[offset : offset + limit]]
        body = {
            "status": "SUCCESS",
            "candidates": docs,
            "paging": _paging(params, offset, limit, len(view)),
        }
        return json_response(body)


@bp.get("/v2/schedules/<access_key>/candidates/<email>")
def result(access_key: str, email: str) -> Response:
    simulator = current()
    params = simulator.authenticate()
    choice_param(params, "qr", "false", ("true", "false"))
    recommend = _recommendation(params)
    _, candidate = simulator.state.candidate(access_key, email)
    with simulator.state.lock:
        return success(candidate=shown(candidate.doc, recommend))


@bp.delete("/v2/schedules/<access_key>/candidates/<email>")
def delete_result(access_key: str, email: str) -> Response:
    simulator = current()
    simulator.authenticate()
    schedule, candidate = simulator.state.candidate(access_key, email)
    simulator.state.delete(schedule, candidate)
    return success(message=f"Result of {candidate.email} deleted")


def schedule_doc(schedule: Schedule) -> dict[str, t.Any]:
    return {
        "id": schedule.schedule_id,
        "name": schedule.name,
        "accessKey": schedule.access_key,
        "accessUrl": f"{request.host_url}authenticateKey/{schedule.access_key}",
        "assessmentId": schedule.assessment_id,
        "assessmentName": schedule.assessment_name,
        "scheduleType": "AlwaysOn",
        "access": {"type": "OpenForAll", "sendEmail": False},
        "exitRedirectionUrl": schedule.exit_url,
        "testFinishNotificationUrl": schedule.finish_url,
        "testGradedNotificationUrl": schedule.graded_url,
    }


def shown(doc: dict[str, t.Any], recommend: bool) -> dict[str, t.Any]:
    """The candidate document, with the ``ir`` recommendation when asked and graded."""
    status = doc["testStatus"]
    if not recommend or status.get("result") is None:
        return doc
    result = status["result"]
    ratio = result["totalMarks"] / result["maxMarks"] if result["maxMarks"] else 0.0
    verdict = (
        "Recommended"
        if ratio >= 0.75
        else "Cautiously Recommended"
        if ratio >= 0.4
        else "Not Recommended"
    )
    analysis = {
        "versionId": 999999,
        "recommendation": [{"type": "Recommendation", "value": verdict}],
    }
    return {**doc, "testStatus": {**status, "result": {**result, "analysis": analysis}}}


def _recommendation(params: Mapping[str, str]) -> bool:
    raw = params.get("ir")
    if raw is None:
        return False
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not isinstance(value.get("recommendation"), bool):
        raise SimulatorError("E400", 'Invalid value for ir: expected {"recommendation":true}')
    return bool(value["recommendation"])


def _check_offset(offset: int, total: int) -> None:
    if offset and offset >= total:
        raise SimulatorError(
            "E400", f"Invalid value for offset: must be less than the total count ({total})"
        )


def _paging(
    params: Mapping[str, str], offset: int, limit: int, total: int
) -> dict[str, str | None]:
    private_key, url = current().private_key, request_url()

    def link(position: int) -> str:
        return signed_link(private_key, url, {**params, "offset": str(position)})

    return {
        "previous": link(max(0, offset - limit)) if offset else None,
        "next": link(offset + limit) if offset + limit < total else None,
    }


def _registration_rows(raw: str | None) -> list[t.Any]:
    try:
        details = json.loads(raw or "")
    except ValueError:
        details = None
    rows = details.get("registrationDetails") if isinstance(details, dict) else None
    if not isinstance(rows, list) or not rows:
        raise SimulatorError("E400", "rd must be JSON with a non-empty registrationDetails list")
    if len(rows) > MAX_REGISTRATIONS:
        raise SimulatorError(
            "E400", f"Maximum {MAX_REGISTRATIONS} candidates can be registered in one request"
        )
    return rows


def _register_row(schedule: Schedule, row: t.Any, expires: float | None) -> dict[str, t.Any]:
    simulator = current()
    fields = row if isinstance(row, dict) else {}
    address = fields.get("Email Address")
    problem = None
    if not isinstance(address, str) or "@" not in address or "." not in address.split("@")[-1]:
        problem = "Email Address is mandatory and must be a valid e-mail address"
    elif not isinstance(fields.get("First Name"), str) or not fields["First Name"].strip():
        problem = "First Name is mandatory"
    elif not all(isinstance(value, str) for value in fields.values()):
        problem = "Registration field values must be strings"
    if problem:
        return {
            "email": address if isinstance(address, str) else None,
            "status": "ERROR",
            "error": {"code": "E400", "message": problem},
        }
    candidate = simulator.state.register(schedule, dict(fields), expires)
    return {
        "email": candidate.email,
        "status": "SUCCESS",
        "url": f"{request.host_url}authenticateKey/{candidate.token}",
    }
