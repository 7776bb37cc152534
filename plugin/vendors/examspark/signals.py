"""The three completion signals of ExamSpark, read from one callback endpoint.

Every signal reaches ``StartRequest.callback_url`` as a POST:

1. **Player event** (unauthenticated trigger).  The SDK fires ``examSessionSubmitted``
   (legacy: ``EXAM_SESSION_SUBMITTED``) with ``{examConfigId, examSessionId}`` in the
   browser; our player page relays it, either as JSON::

       {"event": "examSessionSubmitted",
        "data": {"examConfigId": "...", "examSessionId": "..."},
        "attemptToken": "<optional>"}

   or as a form post (``application/x-www-form-urlencoded``) with the fields
   ``event``, ``examConfigId``, ``examSessionId`` and optionally ``attemptToken``.
2. **Grade passback** (authenticated).  LTI 1.1 ``replaceResultRequest`` POX, or its
   JSON form (:mod:`plugin.vendors.examspark.outcomes`), signed with OAuth 1.0a and
   ``oauth_body_hash`` using the app key and secret.  ``sourcedId`` is the
   ``lis_result_sourcedid`` we set at start: the attempt token.  Which bodies are
   accepted is ``ExamSparkConfig.outcome_format``.
3. **Polling** needs no request: reconciliation lists sessions.

Bodies are told apart by content: XML is POX; JSON or a form with ``event`` is a
player event; other JSON is the JSON passback.

A refused passback is answered in its own format (:meth:`SignalReader.answer`): a POX
``failure`` envelope, or JSON ``{"status": "failure"}``, whose description says why.
"""

from __future__ import annotations

import codecs
import dataclasses
import json
import re
import secrets
import urllib.parse

from plugin.vendors.base import CompletionSignal
from plugin.vendors.base import IncomingRequest
from plugin.vendors.base import SignalKind
from plugin.vendors.errors import SignalRejectedError
from plugin.vendors.examspark.outcomes import OutcomeError
from plugin.vendors.examspark.outcomes import OutcomeMessage
from plugin.vendors.examspark.outcomes import parse_json_outcome
from plugin.vendors.examspark.outcomes import parse_pox
from plugin.vendors.examspark.outcomes import pox_message_id
from plugin.vendors.examspark.outcomes import render_pox_response
from plugin.vendors.examspark.signing import OAuthError
from plugin.vendors.examspark.signing import query_pairs
from plugin.vendors.examspark.verification import OAuthVerifier
from plugin.vendors.payloads import MAX_DEPTH
from plugin.vendors.payloads import nested_deeper_than

MAX_BODY_BYTES = 64 * 1024
SUBMITTED_EVENTS = frozenset({"examSessionSubmitted", "EXAM_SESSION_SUBMITTED"})
_ID = re.compile(r"[A-Za-z0-9_.:#-]{1,128}")
#: How an XML body may begin: ``<`` (UTF-8 or UTF-16LE), or after a byte order mark.
_XML_STARTS = (
    b"<",
    b"\x00<",
    codecs.BOM_UTF8 + b"<",
    codecs.BOM_UTF16_LE + b"<",
    codecs.BOM_UTF16_BE + b"\x00<",
)


class PassbackUnusableError(SignalRejectedError):
    """A grade passback that was authenticated but cannot be used (its message is refused,
    not the request)."""


@dataclasses.dataclass(frozen=True)
class SignalAnswer:
    """The HTTP answer to send back for a signal."""

    status: int
    content_type: str
    body: bytes


class SignalReader:
    """Reads and authenticates ExamSpark signals for one connection.

    :param outcome_format: ``pox``, ``json`` or ``both`` (passback bodies accepted).
    """

    def __init__(self, verifier: OAuthVerifier, outcome_format: str) -> None:
        self._verifier = verifier
        self._format = outcome_format

    def parse(self, request: IncomingRequest) -> CompletionSignal:
        """:raises SignalRejectedError: with 405, 413, 415, 401 or 400 as the cause calls for."""
        if request.method.upper() != "POST":
            raise SignalRejectedError("completion signals must be POSTed", status=405)
        if len(request.body) > MAX_BODY_BYTES:
            raise SignalRejectedError("the signal body is too large", status=413)
        kind = body_kind(request)
        if kind == "form":
            return _player_event(
                dict(urllib.parse.parse_qsl(request.body.decode("utf-8", "replace")))
            )
        if kind == "event":
            return _player_event(_json_event(request.body))
        message = self._passback(request, kind)
        return CompletionSignal(
            kind=SignalKind.WEBHOOK,
            vendor_ref=message.session_id,
            attempt_token=message.sourced_id,
            status_hint="replaceResult",
            authenticated=True,
        )

    def answer(
        self, request: IncomingRequest, rejected: SignalRejectedError | None
    ) -> SignalAnswer:
        """The answer the vendor expects: POX for POX, JSON otherwise.

        An accepted signal gets 200 and ``success``; a refused one a ``failure`` body
        whose description is the reason, with the rejection's status, except that a POX
        message refused as unusable is answered 200: LTI 1.1 Basic Outcomes reports the
        outcome of a message in ``imsx_codeMajor``, HTTP only that the request arrived.
        A request refused as such (signature, timestamp or nonce 401, disabled format
        415, body too large 413) keeps its status, still with the envelope.
        """
        status = rejected.status if rejected else 200
        description = str(rejected) if rejected else "Signal received"
        if body_kind(request) == "pox":
            if isinstance(rejected, PassbackUnusableError):
                status = 200
            fits = len(request.body) <= MAX_BODY_BYTES
            body = render_pox_response(
                message_ref=pox_message_id(request.body) if fits else None,
                success=rejected is None,
                description=description,
                message_id=secrets.token_hex(8),
            )
            return SignalAnswer(status, "application/xml; charset=utf-8", body)
        payload = {"status": "failure" if rejected else "success", "description": description}
        return SignalAnswer(status, "application/json", json.dumps(payload).encode("utf-8"))

    def _passback(self, request: IncomingRequest, kind: str) -> OutcomeMessage:
        if self._format not in {kind, "both"}:
            raise SignalRejectedError(
                f"{kind.upper()} grade passback is disabled (outcome_format={self._format})",
                status=415,
            )
        if not request.url:
            raise SignalRejectedError("cannot verify the passback: request URL unknown", status=401)
        query = query_pairs(request.url) if "?" in request.url else list(request.query.items())
        try:
            self._verifier.verify(
                method=request.method,
                url=request.url,
                query=query,
                authorization=request.header("Authorization"),
                body=request.body,
            )
        except OAuthError as exc:
            raise SignalRejectedError(f"grade passback refused: {exc}", status=401) from exc
        try:
            return parse_pox(request.body) if kind == "pox" else parse_json_outcome(request.body)
        except OutcomeError as exc:
            raise PassbackUnusableError(f"grade passback unusable: {exc}", status=400) from exc


def body_kind(request: IncomingRequest) -> str:
    """``pox``, ``form``, ``event`` (player event JSON) or ``json`` (JSON passback)."""
    content_type = (request.header("Content-Type") or "").split(";", 1)[0].strip().lower()
    if content_type.endswith("xml") or request.body.lstrip().startswith(_XML_STARTS):
        return "pox"
    if content_type == "application/x-www-form-urlencoded":
        return "form"
    # Too deep for the decoder to read safely: not a player event; the passback path
    # refuses it once the signature holds (or does not).
    if nested_deeper_than(request.body.decode("utf-8", "replace"), MAX_DEPTH):
        return "json"
    try:
        data = json.loads(request.body)
    except ValueError:
        return "json"
    return "event" if isinstance(data, dict) and "event" in data else "json"


def _json_event(body: bytes) -> dict[str, object]:
    data = json.loads(body)
    inner = data.get("data")
    fields = dict(inner) if isinstance(inner, dict) else {}
    fields["event"] = data.get("event")
    fields["attemptToken"] = data.get("attemptToken")
    return fields


def _player_event(fields: dict[str, object]) -> CompletionSignal:
    event, session_id = fields.get("event"), fields.get("examSessionId")
    token = fields.get("attemptToken") or None
    if event not in SUBMITTED_EVENTS:
        raise SignalRejectedError(f"player event must be one of {sorted(SUBMITTED_EVENTS)}")
    if not isinstance(session_id, str) or not _ID.fullmatch(session_id):
        raise SignalRejectedError("player event has no usable examSessionId")
    if token is not None and (not isinstance(token, str) or not _ID.fullmatch(token)):
        raise SignalRejectedError("player event has an unusable attemptToken")
    return CompletionSignal(
        kind=SignalKind.PLAYER_EVENT,
        vendor_ref=session_id,
        attempt_token=token,
        status_hint="submitted",
        authenticated=False,
    )
