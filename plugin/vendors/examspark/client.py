"""HTTP client of the ExamSpark (Campfire Learning) REST API.

Authentication is HTTP Basic with the app key and secret on every call
(https://docs.campfirelearning.com/developers/api-legacy/workspace).  Every
answer is checked for the shape we rely on; anything else is an
:class:`~plugin.vendors.errors.InvalidResponseError`.
"""

from __future__ import annotations

import base64
import dataclasses
import logging
import time
import typing as t
import urllib.parse

from plugin.http.sessions import make_session
from plugin.vendors.errors import InvalidResponseError
from plugin.vendors.errors import VendorRefusedError
from plugin.vendors.examspark.errors import VENDOR
from plugin.vendors.examspark.errors import PageTokenRejectedError
from plugin.vendors.examspark.errors import error_for
from plugin.vendors.examspark.models import Json
from plugin.vendors.examspark.models import Page
from plugin.vendors.examspark.models import SdkToken
from plugin.vendors.http import json_body
from plugin.vendors.http import send
from plugin.vendors.shapes import Call
from plugin.vendors.shapes import Shaped
from plugin.vendors.shapes import read_list
from plugin.vendors.shapes import read_object

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Sequence

    import requests

    from plugin.vendors.examspark.config import ExamSparkConfig
    from plugin.vendors.examspark.models import SessionRequest

logger = logging.getLogger(__name__)
#: Where the exam list may come: our reading (``items``) first, then the obvious keys.
EXAM_LIST_KEYS = ("items", "exams", "data", "result")

#: SDK tokens from ``POST /api/login/sdk`` are valid 8 hours.
SDK_TOKEN_LIFETIME_S = 8 * 3600
INCLUDE_ALL = ("results", "responses")


class ExamSparkClient:
    """One workspace's REST API.

    :param session: a pooled session; :func:`plugin.http.sessions.make_session` by default.
    :param clock: seconds since the epoch, for token expiry times.
    """

    def __init__(
        self,
        config: ExamSparkConfig,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self._session = session or make_session()
        self._clock = clock
        self._authorization = _basic_authorization(config)

    def create_session(self, request: SessionRequest) -> Json:
        """Create the exam session, or return it when it exists (the id is deterministic).

        Docs: https://docs.campfirelearning.com/developers/api-legacy/assessment/exam-config,
        https://docs.campfirelearning.com/developers/api/create-exam-session
        """
        suffix = (
            "exam-session" if self.config.create_session_path == "singular" else "exam-sessions"
        )
        path = f"/api/exam-config/{_quote(request.exam_config_id)}/{suffix}"
        body = self._call("POST", path, "create exam session", json=request.body())
        return _session_envelope(body, "create exam session")

    def get_session(self, session_id: str, *, include: Sequence[str] = INCLUDE_ALL) -> Json:
        """``GET /api/exam-session/:sessionId?include[]=results&include[]=responses``.

        Doc: https://docs.campfirelearning.com/developers/api-legacy/assessment/exam-sessions
        ("Get Exam Session").
        """
        params = [("include[]", name) for name in include]
        body = self._call("GET", _session_path(session_id), "get exam session", params=params)
        return _session_envelope(body, "get exam session")

    def get_session_results(self, session_id: str) -> Json:
        """``GET /api/exam-session/:id/results`` (item-level detail, multiple choice only).

        Doc: https://docs.campfirelearning.com/developers/api-legacy/assessment/exam-sessions
        ("Get Exam Session Results").
        """
        path = _session_path(session_id, "results")
        return _session_envelope(self._call("GET", path, "get session results"), "get results")

    def list_sessions(
        self,
        *,
        exam_config_ids: Sequence[str] = (),
        next_token: str | None = None,
        include: Sequence[str] = (),
        limit: int | None = None,
    ) -> Page:
        """``POST /api/exam-sessions`` filtered by exam configs, one page.

        Doc: https://docs.campfirelearning.com/developers/api-legacy/assessment/exam-sessions
        ("List Exam Sessions").  Where ``nextToken`` goes back is not shown; it is sent in
        the JSON body beside ``filter``.

        :raises PageTokenRejectedError: the vendor refused ``next_token`` (400); restart
            without one.
        """
        params: list[tuple[str, str]] = [("include[]", name) for name in include]
        if limit is not None:
            params.append(("limit", str(limit)))
        body: Json = {}
        if exam_config_ids:
            body["filter"] = {"examConfigIds": {"include": list(exam_config_ids)}}
        if next_token:
            body["nextToken"] = next_token
        try:
            answer = self._call(
                "POST", "/api/exam-sessions", "list exam sessions", params=params, json=body
            )
        except VendorRefusedError as exc:
            if next_token and exc.status == 400:
                raise PageTokenRejectedError(
                    f"list exam sessions: the page token was refused: {exc.message}",
                    vendor=VENDOR,
                    status=400,
                    request_id=exc.request_id,
                    body_excerpt=exc.body_excerpt,
                ) from exc
            raise
        return _page(answer, "list exam sessions")

    def set_responses(
        self, session_id: str, responses: Sequence[Json], *, submit_for_scoring: bool = True
    ) -> Json:
        """``POST /api/exam-session/:id/responses``; scoring submits the session.

        Doc: https://docs.campfirelearning.com/developers/api-legacy/assessment/exam-sessions
        ("Set Responses").
        """
        body = {"submitForScoring": submit_for_scoring, "responses": list(responses)}
        path = _session_path(session_id, "responses")
        return _session_envelope(
            self._call("POST", path, "set responses", json=body), "set responses"
        )

    def retake(self, session_id: str) -> Json:
        """``GET /api/exam-session/:id/retake``: prepare a multi-attempt session for a retake.

        Doc: https://docs.campfirelearning.com/developers/api-legacy/assessment/exam-sessions
        ("Retake Session").
        """
        return self._session_action(session_id, "retake")

    def reset(self, session_id: str) -> Json:
        """``GET /api/exam-session/:id/reset``: remove every response and score.

        Doc: https://docs.campfirelearning.com/developers/api-legacy/assessment/exam-sessions
        ("Reset Session").
        """
        return self._session_action(session_id, "reset")

    def reopen(self, session_id: str) -> Json:
        """``GET /api/exam-session/:id/reopen``: set maturity back to ``IN_PROGRESS``.

        Doc: https://docs.campfirelearning.com/developers/api-legacy/assessment/exam-sessions
        ("Reopen Session").
        """
        return self._session_action(session_id, "reopen")

    def sdk_login(self, email: str) -> SdkToken:
        """``POST /api/login/sdk`` -> ``{"auth": ...}``, the SDK token (valid 8 hours).

        Doc: https://docs.campfirelearning.com/developers/sdk/components-v2/authentication.
        """
        body = {"email": email, "workspaceId": self.config.workspace_id}
        answer = self._call("POST", "/api/login/sdk", "SDK login", json=body)
        auth = answer.get("auth")
        if not isinstance(auth, str) or not auth:
            raise _invalid("SDK login", "has no auth token")
        return SdkToken(auth=auth, expires_at=self._clock() + SDK_TOKEN_LIFETIME_S)

    def get_workspace(self) -> Shaped[Json]:
        """``GET /api/workspace/:id``, the cheapest authenticated read.

        Doc: https://docs.campfirelearning.com/developers/api-legacy/workspace.  The
        stored page shows the call but not its answer, so the workspace is read inside
        ``{"workspace": {...}}`` (our reading, and the simulator's default) or bare; it
        must carry its ``id``.
        """
        path = f"/api/workspace/{_quote(self.config.workspace_id)}"
        answer = self._call("GET", path, "get workspace")
        connection = f"{self.config.base_url} {self.config.app_key}"
        call = Call(VENDOR, "ExamSpark", f"GET {path}", "the workspace", connection)
        return read_object(
            answer, call=call, wrapper="workspace", required="id", documented_wrapped=True
        )

    def list_tests(self, *, next_token: str | None = None) -> Page:
        """``POST /api/exams`` (marked "under construction" by the vendor), one page.

        Doc: https://docs.campfirelearning.com/developers/api-legacy/assessment/exams.  The
        page shows no answer, so it is read like the sessions list, ``items`` of
        ``{"exam": {...}, "examConfigs": [...]}`` with ``nextToken`` (our reading), and
        also bare or under ``exams``, ``data`` or ``result``; a bare list is the whole
        catalogue, having nowhere to carry a ``nextToken``.
        """
        body: Json = {"filter": {}}
        if next_token:
            body["nextToken"] = next_token
        answer = self._answer("POST", "/api/exams", "list exams", json=body)
        connection = f"{self.config.base_url} {self.config.app_key}"
        call = Call(VENDOR, "ExamSpark", "POST /api/exams", "the exam list", connection)
        read = read_list(
            answer,
            call=call,
            item_key="exam",
            documented="items",
            keys=EXAM_LIST_KEYS,
            item_is=_is_exam_item,
        )
        if not isinstance(answer, dict):
            return Page(items=read.value, next_token=None, total=None, warnings=read.warnings)
        page = _page({**answer, "items": read.value}, "list exams")
        return dataclasses.replace(page, warnings=read.warnings)

    def _session_action(self, session_id: str, action: str) -> Json:
        answer = self._call("GET", _session_path(session_id, action), f"{action} exam session")
        return _session_envelope(answer, f"{action} exam session")

    def _call(
        self,
        method: str,
        path: str,
        action: str,
        *,
        params: Sequence[tuple[str, str]] | None = None,
        json: Json | None = None,
    ) -> Json:
        """The answer, which must be a JSON object."""
        body = self._answer(method, path, action, params=params, json=json)
        if not isinstance(body, dict):
            raise _invalid(action, "is not a JSON object")
        return body

    def _answer(
        self,
        method: str,
        path: str,
        action: str,
        *,
        params: Sequence[tuple[str, str]] | None = None,
        json: Json | None = None,
    ) -> t.Any:
        """The answer's JSON whatever its type, for answers read in several forms."""
        headers = {"Authorization": self._authorization, "Accept": "application/json"}
        response = send(
            self._session,
            VENDOR,
            method,
            self.config.base_url + path,
            params=params,
            json=json,
            headers=headers,
        )
        if not response.ok:
            logger.info("examspark %s answered %s", action, response.status_code)
            raise error_for(response, action=action)
        return json_body(response, VENDOR)


def _basic_authorization(config: ExamSparkConfig) -> str:
    credentials = f"{config.app_key}:{config.app_secret}"
    if config.basic_auth == "plain":
        return f"Basic {credentials}"
    return "Basic " + base64.b64encode(credentials.encode("utf-8")).decode("ascii")


def _quote(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _session_path(session_id: str, action: str | None = None) -> str:
    path = f"/api/exam-session/{_quote(session_id)}"
    return f"{path}/{action}" if action else path


def _is_exam_item(item: object) -> bool:
    """An entry of the exam list: an exam with its configs."""
    return (
        isinstance(item, dict)
        and isinstance(item.get("exam"), dict)
        and isinstance(item.get("examConfigs"), list)
    )


def _invalid(action: str, problem: str) -> InvalidResponseError:
    return InvalidResponseError(f"{action}: the answer {problem}", vendor=VENDOR)


def _session_envelope(body: Json, action: str) -> Json:
    session = body.get("examSession")
    if not isinstance(session, dict) or not isinstance(session.get("id"), str):
        raise _invalid(action, "has no examSession with an id")
    return body


def _page(body: Json, action: str) -> Page:
    items, token, total = body.get("items"), body.get("nextToken"), body.get("total")
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise _invalid(action, "has no list of items")
    if token is not None and not isinstance(token, str):
        raise _invalid(action, "has a nextToken that is not a string")
    return Page(
        items=items, next_token=token or None, total=total if isinstance(total, int) else None
    )
