"""ExamSpark grade passbacks refused on the callback URL: each is answered with the POX
``failure`` envelope its sender can read (never an HTML page, never a 500), and XML with
a DTD is refused however it is encoded, without expanding anything."""

from __future__ import annotations

import time
import typing as t
import urllib.parse
import xml.etree.ElementTree as ET

import pytest

from plugin.sandbox.vendors.examspark.oauth import authorization
from plugin.sandbox.vendors.examspark.passback import pox_request
from plugin.services import services

if t.TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient
    from werkzeug.test import TestResponse

KEY, SECRET = "es-key", "es-secret"
NS = "{http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0}"
POX_TYPE = "application/xml; charset=utf-8"
#: 10 x 10 x 10 x 10 references to 64 characters: 640 KB if it were ever expanded.
_ENTITIES = (
    '<!ENTITY a "' + "a" * 64 + '">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
    '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
    '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">'
)


class Connection(t.NamedTuple):
    client: FlaskClient
    url: str  # the public callback URL, which the vendor signs

    @property
    def path(self) -> str:
        parts = urllib.parse.urlsplit(self.url)
        return f"{parts.path}?{parts.query}"


@pytest.fixture
def examspark(app: Flask) -> Connection:
    info = services(app).vendor_connections.add(
        "examspark", "examspark", {"app_key": KEY, "app_secret": SECRET, "workspace_id": "d"}
    )
    return Connection(app.test_client(), info.callback_url)


def post(
    connection: Connection,
    body: bytes,
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
    header: str | None = None,
) -> TestResponse:
    header = header or authorization(
        method="POST",
        url=connection.url,
        body=body,
        key=KEY,
        secret=secret,
        timestamp=int(time.time()) if timestamp is None else timestamp,
    )
    return connection.client.post(
        connection.path,
        data=body,
        headers={"Content-Type": "application/xml", "Authorization": header},
    )


def envelope(answer: TestResponse) -> dict[str, str]:
    """The status fields of a POX response, after checking it is one."""
    assert answer.content_type == POX_TYPE
    assert b"<html" not in answer.data.lower()
    root = ET.fromstring(answer.data)
    assert root.tag == f"{NS}imsx_POXEnvelopeResponse"
    info = root.find(f"{NS}imsx_POXHeader/{NS}imsx_POXResponseHeaderInfo/{NS}imsx_statusInfo")
    assert info is not None
    return {child.tag.removeprefix(NS): child.text or "" for child in info}


def with_dtd(encoding: str, *, bom: bool = True) -> bytes:
    """A replaceResult whose sourcedId is an entity that would expand to 640 KB."""
    text = pox_request("m-dtd", "ENTITY", "0.5").decode().replace("ENTITY", "&e;")
    head, _, rest = text.partition("\n")
    declared = head.replace("UTF-8", encoding.upper().removesuffix("LE"))
    document = f"{declared}\n<!DOCTYPE imsx_POXEnvelopeRequest [{_ENTITIES}]>{rest}"
    if encoding == "utf-8":
        return document.encode()
    encoded = document.encode("utf-16-le")
    return (b"\xff\xfe" if bom else b"") + encoded


def test_an_accepted_passback_is_answered_success(examspark: Connection) -> None:
    answer = post(examspark, pox_request("m-ok", "tok-1", "0.5"))
    assert answer.status_code == 200
    status = envelope(answer)
    assert (status["imsx_codeMajor"], status["imsx_messageRefIdentifier"]) == ("success", "m-ok")


@pytest.mark.parametrize(
    ("body", "name"),
    [
        (with_dtd("utf-16"), "UTF-16 with a byte order mark"),
        (with_dtd("utf-16le", bom=False), "UTF-16LE without one"),
        (with_dtd("utf-8"), "UTF-8"),
    ],
)
def test_xml_with_a_dtd_is_refused_however_encoded(
    examspark: Connection, body: bytes, name: str
) -> None:
    assert len(body) < 4096, name  # small on the wire...
    answer = post(examspark, body)
    assert answer.status_code == 200  # the message is refused, not the request
    status = envelope(answer)
    assert status["imsx_codeMajor"] == "failure"
    assert "XML with a DTD is refused" in status["imsx_description"]
    assert len(answer.data) < 2048  # ...and nothing was expanded into the answer


@pytest.mark.parametrize(
    ("how", "status", "reason"),
    [
        ("bad signature", 401, "the OAuth signature does not match"),
        ("stale timestamp", 401, "more than 300 s away from now"),
        ("no signature", 401, "no OAuth Authorization header"),
        ("malformed XML", 200, "the body is not well-formed XML"),
        ("another operation", 200, "only replaceResult is accepted"),
    ],
)
def test_a_refused_passback_gets_a_failure_envelope(
    examspark: Connection, how: str, status: int, reason: str
) -> None:
    body = pox_request("m-1", "tok-1", "0.5")
    if how == "bad signature":
        answer = post(examspark, body, secret="not-the-secret")
    elif how == "stale timestamp":
        answer = post(examspark, body, timestamp=int(time.time()) - 301)
    elif how == "no signature":
        answer = examspark.client.post(
            examspark.path, data=body, headers={"Content-Type": "application/xml"}
        )
    elif how == "malformed XML":
        answer = post(examspark, body[:-10])
    else:
        answer = post(examspark, body.replace(b"replaceResultRequest", b"deleteResultRequest"))
    assert answer.status_code == status
    fields = envelope(answer)
    assert fields["imsx_codeMajor"] == "failure"
    assert reason in fields["imsx_description"]


def test_a_replayed_passback_gets_a_failure_envelope(examspark: Connection) -> None:
    body = pox_request("m-2", "tok-1", "0.5")
    header = authorization(
        method="POST",
        url=examspark.url,
        body=body,
        key=KEY,
        secret=SECRET,
        timestamp=int(time.time()),
    )
    assert envelope(post(examspark, body, header=header))["imsx_codeMajor"] == "success"
    replay = post(examspark, body, header=header)
    assert replay.status_code == 401
    fields = envelope(replay)
    assert fields["imsx_codeMajor"] == "failure"
    assert "the OAuth nonce was already used" in fields["imsx_description"]
    assert fields["imsx_messageRefIdentifier"] == "m-2"


def test_a_wrong_callback_token_still_gets_the_plain_404(examspark: Connection) -> None:
    """Without the token the caller is nobody we know: it learns nothing, not even that
    the connection speaks POX."""
    body = pox_request("m-3", "tok-1", "0.5")
    wrong = examspark.path.split("token=")[0] + "token=wrong"
    answer = examspark.client.post(wrong, data=body, headers={"Content-Type": "application/xml"})
    assert answer.status_code == 404
    assert b"imsx_POXEnvelopeResponse" not in answer.data


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
def test_deeply_nested_json_is_refused_not_a_500(examspark: Connection, signed: bool) -> None:
    """Python's JSON decoder recurses per level: 20,000 brackets would raise
    RecursionError while the body's kind is told apart, or after the signature holds."""
    body = b"[" * 20_000 + b"]" * 20_000  # 40 KB: under the passback body limit
    header = None if signed else 'OAuth oauth_consumer_key="es-key"'
    answer = connection_post_json(examspark, body, header=header)
    assert answer.status_code in (400, 401), answer.data[:200]
    assert b"Traceback" not in answer.data


def connection_post_json(
    connection: Connection, body: bytes, *, header: str | None
) -> TestResponse:
    header = header or authorization(
        method="POST",
        url=connection.url,
        body=body,
        key=KEY,
        secret=SECRET,
        timestamp=int(time.time()),
    )
    return connection.client.post(
        connection.path,
        data=body,
        headers={"Content-Type": "application/json", "Authorization": header},
    )
