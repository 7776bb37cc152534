"""A stand-in for Moodle 4.5's AGS score endpoint, as far as timestamps go.

What it copies from Moodle (``mod/lti/service/gradebookservices``):

- line item URLs carry the tool type in the query (``.../lineitems/5/lineitem?type_id=2``),
  and the scores URL keeps it (``.../lineitem/scores?type_id=2``); without it: 400;
- the timestamp is read with PHP ``strtotime``: whole seconds, the fraction dropped;
- a score whose second is not later than the one stored is refused with
  ``409 Refusing score with an earlier timestamp``;
- a score without ``scoreGiven`` is stored at the time Moodle *received* it (its own clock,
  :attr:`MoodleScores.clock`), not at the timestamp sent.

Its token endpoint hands out a token to any request, and the score endpoint checks only that
a bearer token is present: these tests are about timestamps, and need no other simulator.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import threading
import typing as t

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from flask import Response
from flask import jsonify
from flask import request

from lti.interfaces import PlatformRecord
from lti.interfaces import SigningKey

LINE_ITEM_PATH = "/mod/lti/services.php/2/lineitems/5/lineitem"
TOKEN_PATH = "/mod/lti/token.php"


def platform_at(url: str) -> PlatformRecord:
    """The registration of the tool on the stand-in served at ``url``."""
    return PlatformRecord(
        id=1,
        issuer=url,
        client_id="moodle-client",
        auth_login_url=f"{url}/mod/lti/auth.php",
        auth_token_url=url + TOKEN_PATH,
        key_set_url=f"{url}/mod/lti/certs.php",
    )


class Keys:
    """One RSA key made for the test session (the stand-in does not check the assertion)."""

    def signing_key(self) -> SigningKey:
        return _signing_key()

    def public_jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": []}


@functools.cache
def _signing_key() -> SigningKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return SigningKey(kid="moodle-test", private_key=key, private_pem=pem)


@dataclasses.dataclass
class MoodleScores:
    """What the endpoint saw and keeps.

    :ivar clock: Moodle's current time.
    :ivar posts: ``(path with query, body, status answered)`` per score request.
    :ivar stored: the second Moodle keeps per user.
    """

    clock: t.Callable[[], dt.datetime]
    posts: list[tuple[str, dict[str, t.Any], int]] = dataclasses.field(default_factory=list)
    stored: dict[str, int] = dataclasses.field(default_factory=dict)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def statuses(self) -> list[int]:
        return [status for _, _, status in self.posts]


def moodle_app(scores: MoodleScores) -> Flask:
    app = Flask("moodle-scores")

    @app.post(TOKEN_PATH)
    def token() -> Response:
        return jsonify(access_token="moodle-token", token_type="Bearer", expires_in=3600)

    @app.post(f"{LINE_ITEM_PATH}/scores")
    def post_score() -> Response:
        body = t.cast("dict[str, t.Any]", request.get_json(force=True))
        status, text = _answer(scores, body)
        with scores.lock:
            scores.posts.append((request.full_path, body, status))
        return Response(text, status=status, mimetype="text/plain")

    return app


def _answer(scores: MoodleScores, body: dict[str, t.Any]) -> tuple[int, str]:
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        return 401, "No bearer token"
    if request.args.get("type_id") != "2":
        return 400, "No tool type"
    user_id = str(body["userId"])
    sent = math.floor(dt.datetime.fromisoformat(body["timestamp"]).timestamp())
    with scores.lock:
        last = scores.stored.get(user_id)
        if last is not None and sent <= last:
            return 409, f"Refusing score with an earlier timestamp for item 5 and user {user_id}"
        received = math.floor(scores.clock().timestamp())
        scores.stored[user_id] = sent if body.get("scoreGiven") is not None else received
    return 200, ""
