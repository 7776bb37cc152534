"""Bodies no vendor sends, on the callback and return URLs: each is answered with a clear
400, 413 or 415, never 500 (finding 5 of the hostile input issue), and nothing is recorded."""

from __future__ import annotations

import typing as t

import pytest
from sqlalchemy import func
from sqlalchemy import select

from plugin.runtime import MAX_CONTENT_LENGTH
from plugin.services import services
from plugin.store.models import Attempt
from plugin.store.models import Signal
from plugin.vendors.payloads import MAX_DEPTH
from tests.unit.web.callback_urls import Connection
from tests.unit.web.callback_urls import attempt_on
from tests.unit.web.callback_urls import connection

if t.TYPE_CHECKING:
    from flask import Flask
    from werkzeug.test import TestResponse

JSON_VENDORS = ("imocha", "mettl", "proctorexam")
DEEP = b"[" * 100_000 + b"]" * 100_000
JSON = {"Accept": "application/json", "Content-Type": "application/json"}


def refused(answer: TestResponse, status: int, *words: str) -> str:
    """The refusal's message, after checking its status and that it is our JSON refusal."""
    assert answer.status_code == status, answer.get_data(as_text=True)[:300]
    body = answer.get_json()
    assert body["error"] and body["error_id"]
    message: str = body["message"]
    for word in words:
        assert word in message
    return message


def stored_signals(app: Flask) -> int:
    with services(app).sessions() as session:
        return session.scalar(select(func.count(Signal.id))) or 0


@pytest.mark.parametrize("kind", JSON_VENDORS)
def test_json_nested_100k_deep_is_refused_with_400_not_500(app: Flask, kind: str) -> None:
    on = connection(app, kind)

    answer = app.test_client().post(on.callback_path, data=DEEP, headers=JSON)

    refused(answer, 400, "nested deeper than", str(MAX_DEPTH))
    assert stored_signals(app) == 0


@pytest.mark.parametrize("kind", JSON_VENDORS)
def test_a_body_that_is_not_utf8_is_refused_with_400(app: Flask, kind: str) -> None:
    on = connection(app, kind)
    latin1 = '{"TestInvitationId": 1, "Status": "Terminé"}'.encode("latin-1")

    answer = app.test_client().post(on.callback_path, data=latin1, headers=JSON)

    refused(answer, 400, "not UTF-8")


@pytest.mark.parametrize("kind", JSON_VENDORS)
def test_a_charset_other_than_utf8_is_refused_with_415(app: Flask, kind: str) -> None:
    on = connection(app, kind)
    headers = {**JSON, "Content-Type": "application/json; charset=ISO-8859-1"}

    answer = app.test_client().post(on.callback_path, data=b'{"id": 1}', headers=headers)

    refused(answer, 415, "iso-8859-1", "UTF-8")


@pytest.mark.parametrize(
    "body",
    [b'{"TestInvitationId": "1\\u0000"}', b'{"TestInvitationId": 1, "Status": "\\ud800"}'],
    ids=["NUL", "lone surrogate"],
)
def test_text_no_column_can_hold_is_refused_with_400(app: Flask, body: bytes) -> None:
    on = connection(app, "imocha")

    answer = app.test_client().post(on.callback_path, data=body, headers=JSON)

    refused(answer, 400, "NUL character or a lone surrogate")


def test_a_nul_in_the_query_is_refused_with_400(app: Flask) -> None:
    """Mettl's schedule may come from the query, where no JSON check sees it."""
    on = connection(app, "mettl")
    body = b'{"EVENT_TYPE": "finishTest", "email": "ada@example.edu"}'

    answer = app.test_client().post(f"{on.callback_path}&accessKey=k%00", data=body, headers=JSON)

    refused(answer, 400, "NUL")


def test_a_body_over_the_limit_is_refused_with_413_naming_it(app: Flask) -> None:
    on = connection(app, "imocha")
    body = b'{"TestInvitationId": 1, "pad": "' + b"x" * MAX_CONTENT_LENGTH + b'"}'

    answer = app.test_client().post(on.callback_path, data=body, headers=JSON)

    refused(answer, 413, f"{MAX_CONTENT_LENGTH // 1024} KiB")
    assert answer.get_json()["error"] == "body_too_large"


def test_a_body_over_the_limit_gets_a_413_page_in_a_browser(app: Flask) -> None:
    on = connection(app, "imocha")

    answer = app.test_client().post(on.callback_path, data=b"x" * (MAX_CONTENT_LENGTH + 1))

    assert answer.status_code == 413
    assert f"{MAX_CONTENT_LENGTH // 1024} KiB" in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (DEEP, 400, ("nested deeper than",)),
        (b"\xff\xfe{}", 400, ("not UTF-8",)),
        (b"x" * (MAX_CONTENT_LENGTH + 1), 413, ("KiB",)),
    ],
    ids=["deep", "not utf-8", "too big"],
)
def test_the_return_url_refuses_bad_player_events_alike(
    app: Flask, body: bytes, status: int, words: tuple[str, ...]
) -> None:
    on = connection(app, "imocha")
    attempt_id, return_path = attempt_on(app, on)

    answer = app.test_client().post(return_path, data=body, headers=JSON)

    refused(answer, status, *words)
    assert stored_signals(app) == 0
    with services(app).sessions() as session:
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None and attempt.sync_requested_at is None


def test_a_well_formed_callback_still_counts(app: Flask) -> None:
    """The checks refuse only what is wrong: nesting up to the limit is read."""
    on: Connection = connection(app, "imocha")
    nested = b'{"TestInvitationId": 7, "x": ' + b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1)

    answer = app.test_client().post(on.callback_path, data=nested + b"}", headers=JSON)

    assert answer.status_code == 200 and answer.get_json() == {"status": "received"}
