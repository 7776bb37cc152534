"""``/return/<token>/player-error`` and ``/player-token``: bounded, logged, token-bound."""

from __future__ import annotations

import json
import logging
import typing as t

import pytest

from plugin.services import services
from plugin.store.models import Attempt
from plugin.web.player import MAX_BODY_BYTES
from plugin.web.player import MAX_MESSAGE_CHARS
from tests.support.tokens import attempt_token
from tests.unit.factories import make_attempt

if t.TYPE_CHECKING:
    from flask import Flask

REPORT = {"error_id": "0123456789ab", "stage": "load", "message": "the bundle did not load"}


def token_of(app: Flask) -> str:
    attempt_id = make_attempt(app)
    with services(app).sessions() as session:
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        return attempt_token(app, attempt)


def test_a_report_is_logged_under_the_learners_error_id_and_answered_204(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    token = token_of(app)
    caplog.set_level(logging.WARNING, logger="plugin.web.player")
    message = "x\nforged line " * 100

    answer = app.test_client().post(
        f"/return/{token}/player-error", json={**REPORT, "message": message}
    )

    assert answer.status_code == 204
    (record,) = [r for r in caplog.records if r.name == "plugin.web.player"]
    logged = record.getMessage()
    assert logged.startswith("player error [0123456789ab] attempt ")
    assert "stage load" in logged and "\n" not in logged
    assert repr(message[:MAX_MESSAGE_CHARS]) in logged


@pytest.mark.parametrize(
    "changes",
    [{"stage": "anything"}, {"error_id": "../../etc"}, {"message": 5}],
)
def test_a_report_outside_its_shape_is_refused(app: Flask, changes: dict[str, t.Any]) -> None:
    token = token_of(app)
    answer = app.test_client().post(f"/return/{token}/player-error", json={**REPORT, **changes})
    assert answer.status_code == 400


def test_a_report_larger_than_the_bound_is_refused_unread(app: Flask) -> None:
    token = token_of(app)
    body = json.dumps({**REPORT, "message": "x" * MAX_BODY_BYTES})
    answer = app.test_client().post(
        f"/return/{token}/player-error", data=body, content_type="application/json"
    )
    assert answer.status_code == 413


def test_a_report_or_renewal_for_no_attempt_is_404(app: Flask) -> None:
    client = app.test_client()
    assert client.post("/return/nope/player-error", json=REPORT).status_code == 404
    assert client.post("/return/nope/player-token", json={"embed_id": "e"}).status_code == 404
