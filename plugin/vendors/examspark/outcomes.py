"""Grade-passback messages: LTI 1.1 Basic Outcomes POX and its JSON form.

ExamSpark names the target ``lis_outcome_service_url`` ("grade passback
(webhook)") and the cell ``lis_result_sourcedid`` but does not document the wire
format.  Accepted here:

* POX XML, LTI 1.1 Basic Outcomes ``replaceResultRequest``
  (https://www.imsglobal.org/specs/ltiomv1p0/specification, section 6);
* the JSON form, defined by this project with the same fields::

    {"operation": "replaceResult", "sourcedId": "<lis_result_sourcedid>",
     "score": 0.85, "messageIdentifier": "<unique id>", "examSessionId": "<optional>"}

Both are signed the same way (OAuth 1.0a HMAC-SHA1 with ``oauth_body_hash``); the
signature is checked by :mod:`plugin.vendors.examspark.verification`.
"""

from __future__ import annotations

import dataclasses
import decimal
import json
import typing as t
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

import defusedxml
import defusedxml.ElementTree

from plugin.errors import AppError
from plugin.vendors.payloads import MAX_DEPTH
from plugin.vendors.payloads import nested_deeper_than

NAMESPACE = "http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0"
REPLACE_RESULT = "replaceResult"
_ONE = decimal.Decimal(1)


class OutcomeError(AppError):
    """A passback body that cannot be used; the message says why."""


@dataclasses.dataclass(frozen=True)
class OutcomeMessage:
    """One ``replaceResult``: which gradebook cell, which score (0..1)."""

    sourced_id: str
    score: decimal.Decimal
    message_id: str
    session_id: str | None = None


def parse_pox(body: bytes) -> OutcomeMessage:
    """Read a ``replaceResultRequest`` envelope (namespace optional).

    :raises OutcomeError: not XML, a DTD (however encoded), another operation, or a
        missing/invalid field.
    """
    root = _parse_xml(body)
    if _local(root.tag) != "imsx_POXEnvelopeRequest":
        raise OutcomeError("the body is not an imsx_POXEnvelopeRequest")
    message_id = _text(
        root, "imsx_POXHeader", "imsx_POXRequestHeaderInfo", "imsx_messageIdentifier"
    )
    operation = _operation(root)
    if operation != REPLACE_RESULT:
        raise OutcomeError(f"unsupported operation {operation}, only replaceResult is accepted")
    record = ("imsx_POXBody", "replaceResultRequest", "resultRecord")
    sourced_id = _text(root, *record, "sourcedGUID", "sourcedId")
    score = _text(root, *record, "result", "resultScore", "textString")
    if not message_id or not sourced_id or score is None:
        raise OutcomeError("imsx_messageIdentifier, sourcedId and resultScore are required")
    return OutcomeMessage(sourced_id=sourced_id, score=_score(score), message_id=message_id)


def parse_json_outcome(body: bytes) -> OutcomeMessage:
    """Read the JSON form described in this module's docstring.

    :raises OutcomeError: not a JSON object, another operation, or a missing/invalid field.
    """
    if nested_deeper_than(body.decode("utf-8", "replace"), MAX_DEPTH):
        raise OutcomeError(f"the body is nested deeper than {MAX_DEPTH} levels")
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise OutcomeError("the body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise OutcomeError("the body is not a JSON object")
    if data.get("operation") != REPLACE_RESULT:
        raise OutcomeError("operation must be replaceResult")
    sourced_id, message_id = data.get("sourcedId"), data.get("messageIdentifier")
    session_id = data.get("examSessionId")
    if not _strings(sourced_id, message_id) or "score" not in data:
        raise OutcomeError("sourcedId, messageIdentifier and score are required")
    if session_id is not None and not _strings(session_id):
        raise OutcomeError("examSessionId must be a non-empty string")
    raw_score = data["score"]
    if isinstance(raw_score, bool) or not isinstance(raw_score, int | float | str):
        raise OutcomeError("score must be a number between 0.0 and 1.0")
    return OutcomeMessage(
        sourced_id=str(sourced_id),
        score=_score(str(raw_score)),
        message_id=str(message_id),
        session_id=str(session_id) if session_id is not None else None,
    )


def pox_message_id(body: bytes) -> str | None:
    """The ``imsx_messageIdentifier`` of a POX request, when one can be read."""
    try:
        root = _parse_xml(body)
    except OutcomeError:
        return None
    return _text(root, "imsx_POXHeader", "imsx_POXRequestHeaderInfo", "imsx_messageIdentifier")


def render_pox_response(
    *,
    message_ref: str | None,
    success: bool,
    description: str,
    message_id: str,
    operation: str = REPLACE_RESULT,
) -> bytes:
    """The ``imsx_POXEnvelopeResponse`` answering a passback (section 6.1 of the spec).

    :param message_ref: the request's ``imsx_messageIdentifier`` (empty when unknown).
    :param message_id: a fresh identifier of this response.
    """
    code, severity = ("success", "status") if success else ("failure", "error")
    body = f"<{operation}Response/>" if success else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<imsx_POXEnvelopeResponse xmlns="{NAMESPACE}">'
        "<imsx_POXHeader><imsx_POXResponseHeaderInfo>"
        "<imsx_version>V1.0</imsx_version>"
        f"<imsx_messageIdentifier>{escape(message_id)}</imsx_messageIdentifier>"
        "<imsx_statusInfo>"
        f"<imsx_codeMajor>{code}</imsx_codeMajor>"
        f"<imsx_severity>{severity}</imsx_severity>"
        f"<imsx_description>{escape(description)}</imsx_description>"
        f"<imsx_messageRefIdentifier>{escape(message_ref or '')}</imsx_messageRefIdentifier>"
        f"<imsx_operationRefIdentifier>{escape(operation)}</imsx_operationRefIdentifier>"
        "</imsx_statusInfo>"
        "</imsx_POXResponseHeaderInfo></imsx_POXHeader>"
        f"<imsx_POXBody>{body}</imsx_POXBody>"
        "</imsx_POXEnvelopeResponse>"
    ).encode()


def _parse_xml(body: bytes) -> ET.Element:
    """Parse untrusted XML; any DTD is refused (no entity expansion, no external entities).

    The parser refuses a DTD when it meets one, after decoding, so no encoding (UTF-16
    with or without a byte order mark, an ``encoding`` declaration) hides it.
    """
    try:
        return defusedxml.ElementTree.fromstring(body, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise OutcomeError("XML with a DTD is refused") from exc
    except ET.ParseError as exc:
        raise OutcomeError("the body is not well-formed XML") from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    return next((child for child in element if _local(child.tag) == name), None)


def _text(root: ET.Element, *path: str) -> str | None:
    element: ET.Element | None = root
    for name in path:
        element = _child(element, name) if element is not None else None
    if element is None:
        return None
    return (element.text or "").strip()


def _operation(root: ET.Element) -> str:
    body = _child(root, "imsx_POXBody")
    request = next(iter(body), None) if body is not None else None
    if request is None:
        raise OutcomeError("the envelope has no operation in imsx_POXBody")
    return _local(request.tag).removesuffix("Request")


def _score(raw: str) -> decimal.Decimal:
    try:
        score = decimal.Decimal(raw.strip())
    except decimal.InvalidOperation:
        raise OutcomeError("resultScore must be a number between 0.0 and 1.0") from None
    if not score.is_finite() or not 0 <= score <= _ONE:
        raise OutcomeError("resultScore must be a number between 0.0 and 1.0")
    return score


def _strings(*values: t.Any) -> bool:
    return all(isinstance(value, str) and value.strip() for value in values)
