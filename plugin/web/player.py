"""What the embedded player page (``player.html``) asks of us besides relaying its events.

* ``POST /return/<attempt token>/player-token`` ``{"embed_id"}``: the vendor refused the
  page's embed (ExamSpark: an SDK token it forgot or that expired); answers ``{"embed"}``,
  a renewed one, which the page retries once with.
* ``POST /return/<attempt token>/player-error`` ``{"error_id", "stage", "message"}``: the
  page could not show the player; the report goes to our log under the id the learner
  sees, and the answer is ``204``.

Both hold the attempt token only, as the event relay does; bodies are small JSON objects.
"""

from __future__ import annotations

import logging
import re
import typing as t

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request

from plugin.attempts.outcome import attempt_outcome
from plugin.services import services
from plugin.web.errors import refusal

log = logging.getLogger(__name__)

bp = Blueprint("player", __name__)

#: The largest report or renewal request read; the page sends a few hundred bytes.
MAX_BODY_BYTES = 2048
#: How much of the browser's message reaches the log.
MAX_MESSAGE_CHARS = 300
#: Where the page failed: loading the SDK bundle, in the SDK, its login token refused,
#: relaying the submitted event.
STAGES = frozenset({"load", "sdk", "auth", "relay"})
_ERROR_ID = re.compile(r"[0-9a-f]{12}")
_EMBED_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


@bp.post("/return/<token>/player-token")
def renew_token(token: str) -> t.Any:
    body = _json_body()
    if isinstance(body, tuple):
        return body
    embed_id = body.get("embed_id")
    if not isinstance(embed_id, str) or not _EMBED_ID.fullmatch(embed_id):
        return _bad("embed_id must name the page's embed")
    embed = services().attempts.renew_embed(token, embed_id)
    if embed is None:
        return refusal(status=404, code="unknown_attempt", message="There is no such attempt.")
    response = jsonify(embed=embed)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/return/<token>/player-error")
def report_error(token: str) -> t.Any:
    body = _json_body()
    if isinstance(body, tuple):
        return body
    error_id, stage, message = body.get("error_id"), body.get("stage"), body.get("message")
    if not isinstance(error_id, str) or not _ERROR_ID.fullmatch(error_id):
        return _bad("error_id must be 12 hexadecimal digits")
    if stage not in STAGES:
        return _bad(f"stage must be one of {', '.join(sorted(STAGES))}")
    if not isinstance(message, str):
        return _bad("message must be a string")
    outcome = attempt_outcome(services().sessions, token)
    if outcome is None:
        return refusal(status=404, code="unknown_attempt", message="There is no such attempt.")
    # The browser's words are quoted (repr) and cut: they are the learner's to choose.
    log.warning(
        "player error [%s] attempt %d stage %s: %r",
        error_id,
        outcome.attempt_id,
        stage,
        message[:MAX_MESSAGE_CHARS],
    )
    return Response(status=204)


def _json_body() -> dict[str, t.Any] | tuple[Response | str, int]:
    """The request's JSON object, or the refusal to answer with."""
    if request.content_length is None or request.content_length > MAX_BODY_BYTES:
        return refusal(
            status=413,
            code="body_too_large",
            message=f"The body must be given and at most {MAX_BODY_BYTES} bytes.",
        )
    if request.mimetype != "application/json":
        return _bad("The body must be JSON (Content-Type: application/json).")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _bad("The body must be a JSON object.")
    return body


def _bad(message: str) -> tuple[Response | str, int]:
    return refusal(status=400, code="bad_player_request", message=message)
