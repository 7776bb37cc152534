"""The grade passback the simulated vendor sends to ``lis_outcome_service_url``.

On every scoring submission the session's score (``scoreActual / scoreMax``, 0..1)
is posted as an LTI 1.1 ``replaceResultRequest`` (or the JSON form when the
settings say ``json``), signed with OAuth 1.0a and ``oauth_body_hash`` using the app
key and secret.  A non-2xx answer or a connection failure is retried after each of
``Settings.retry_delays``; every try is recorded for ``GET /sandbox/webhooks``.

A POX passback must be answered with an ``imsx_POXEnvelopeResponse`` naming its message
(``imsx_messageRefIdentifier``), as LTI 1.1 Basic Outcomes requires; each try records the
answer's ``imsx_codeMajor`` and ``imsx_description``.  A 2xx ``success`` is delivered; a
2xx ``failure`` (or ``unsupported``) is the consumer refusing the message, so it is not
sent again (state ``refused``); a 2xx without a readable envelope is tried again.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import threading
import time
import typing as t
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

import defusedxml
import defusedxml.ElementTree
import requests

from plugin.sandbox.vendors.examspark.oauth import authorization

if t.TYPE_CHECKING:
    from plugin.sandbox.vendors.examspark.state import Workspace

_TIMEOUT_S = (3.0, 5.0)
_NS = "{http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0}"
_STATUS_INFO = f"{_NS}imsx_POXHeader/{_NS}imsx_POXResponseHeaderInfo/{_NS}imsx_statusInfo"


@dataclasses.dataclass
class Delivery:
    id: str
    session_id: str
    url: str
    format: str
    score: str
    tries: list[dict[str, t.Any]] = dataclasses.field(default_factory=list)
    state: str = "pending"


class PassbackSender:
    """Sends passbacks in background threads and keeps their history."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self._lock = threading.Lock()
        self.deliveries: list[Delivery] = []

    def send(self, *, session_id: str, url: str, sourced_id: str, score: str) -> Delivery:
        settings = self._workspace.settings
        message_id = secrets.token_hex(8)
        if settings.outcome_format == "json":
            body = json.dumps(
                {
                    "operation": "replaceResult",
                    "sourcedId": sourced_id,
                    "score": float(score),
                    "messageIdentifier": message_id,
                    "examSessionId": session_id,
                }
            ).encode()
            content_type = "application/json"
        else:
            body = pox_request(message_id, sourced_id, score)
            content_type = "application/xml"
        delivery = Delivery(
            id=message_id,
            session_id=session_id,
            url=url,
            format=settings.outcome_format,
            score=score,
        )
        with self._lock:
            self.deliveries.append(delivery)
        thread = threading.Thread(
            target=self._run,
            args=(delivery, body, content_type, settings.retry_delays),
            name=f"examspark-passback-{message_id}",
            daemon=True,
        )
        thread.start()
        return delivery

    def history(self) -> list[dict[str, t.Any]]:
        with self._lock:
            return [dataclasses.asdict(delivery) for delivery in self.deliveries]

    def _run(
        self, delivery: Delivery, body: bytes, content_type: str, delays: tuple[float, ...]
    ) -> None:
        for delay in (0.0, *delays):
            time.sleep(delay)
            state = self._try(delivery, body, content_type)
            if state is not None:
                self._finish(delivery, state)
                return
        self._finish(delivery, "failed")

    def _try(self, delivery: Delivery, body: bytes, content_type: str) -> str | None:
        """Send once; ``delivered`` or ``refused`` when done, None to try again."""
        workspace = self._workspace
        header = authorization(
            method="POST",
            url=delivery.url,
            body=body,
            key=workspace.app_key,
            secret=workspace.app_secret,
            timestamp=int(workspace.clock()),
        )
        headers = {"Content-Type": content_type, "Authorization": header}
        record: dict[str, t.Any] = {"at": workspace.clock(), "status": None, "error": None}
        try:
            response = requests.post(delivery.url, data=body, headers=headers, timeout=_TIMEOUT_S)
        except requests.RequestException as exc:
            record["error"] = type(exc).__name__
        else:
            record["status"] = response.status_code
            record["body"] = response.text[:500]
            if delivery.format != "json":
                record.update(pox_answer(response.content, delivery.id))
        with self._lock:
            delivery.tries.append(record)
        if record["status"] is None or not 200 <= record["status"] < 300:
            return None
        if delivery.format == "json":
            return "delivered"
        return {"success": "delivered", "failure": "refused", "unsupported": "refused"}.get(
            record.get("code_major", "")
        )

    def _finish(self, delivery: Delivery, state: str) -> None:
        with self._lock:
            delivery.state = state


def pox_answer(content: bytes, message_id: str) -> dict[str, str]:
    """``code_major`` and ``description`` of the answer to message ``message_id``, or
    ``error`` when it is not an ``imsx_POXEnvelopeResponse`` about that message."""
    try:
        root = defusedxml.ElementTree.fromstring(content, forbid_dtd=True)
    except (defusedxml.DefusedXmlException, ET.ParseError):
        return {"error": "the answer is not well-formed XML without a DTD"}
    info = root.find(_STATUS_INFO)
    if root.tag != f"{_NS}imsx_POXEnvelopeResponse" or info is None:
        return {"error": "the answer is not an imsx_POXEnvelopeResponse"}
    if info.findtext(f"{_NS}imsx_messageRefIdentifier") != message_id:
        return {"error": "the answer names another message"}
    return {
        "code_major": info.findtext(f"{_NS}imsx_codeMajor", ""),
        "description": info.findtext(f"{_NS}imsx_description", ""),
    }


def pox_request(message_id: str, sourced_id: str, score: str) -> bytes:
    """An LTI 1.1 Basic Outcomes ``replaceResultRequest`` envelope."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<imsx_POXEnvelopeRequest "
        'xmlns="http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0">'
        "<imsx_POXHeader><imsx_POXRequestHeaderInfo><imsx_version>V1.0</imsx_version>"
        f"<imsx_messageIdentifier>{escape(message_id)}</imsx_messageIdentifier>"
        "</imsx_POXRequestHeaderInfo></imsx_POXHeader>"
        "<imsx_POXBody><replaceResultRequest><resultRecord>"
        f"<sourcedGUID><sourcedId>{escape(sourced_id)}</sourcedId></sourcedGUID>"
        "<result><resultScore><language>en</language>"
        f"<textString>{escape(score)}</textString>"
        "</resultScore></result>"
        "</resultRecord></replaceResultRequest></imsx_POXBody>"
        "</imsx_POXEnvelopeRequest>"
    ).encode()
