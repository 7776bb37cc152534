"""StartExam SharedKey signing: the documented string layout and our own vector
(``docs/vendors/startexam.md#signing``)."""

from __future__ import annotations

import calendar
import time

import pytest

from plugin.vendors.startexam import signing

DOC_DATE = "Thu, 16 Jan 2025 05:09:50 GMT"


def test_string_to_sign_matches_the_documented_example() -> None:
    text = signing.string_to_sign("post", "/v1/participants", "Sun, 19 Jan 2014 09:55:37 GMT", 1045)
    assert text == "POST /v1/participants Sun, 19 Jan 2014 09:55:37 GMT 1045"


def test_own_vector_with_raw_key() -> None:
    text = signing.string_to_sign("GET", "/v2/session", DOC_DATE, 0)
    assert text == "GET /v2/session Thu, 16 Jan 2025 05:09:50 GMT 0"
    assert signing.sign(b"secret", text) == "cXhKiHcHgh9R6nI7DHCQSZpdaqkvu9diSKGHCI6ryVk="


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://api.startexam.com/v2/session?participantId=ABC", "/v2/session"),
        ("/V2/Sessions", "/v2/sessions"),
        ("http://127.0.0.1:5000/Prefix/V1/Tests?status=active#x", "/prefix/v1/tests"),
        ("https://api.startexam.com", "/"),
    ],
)
def test_canonical_path_is_lowercase_without_host_or_query(given: str, expected: str) -> None:
    assert signing.canonical_path(given) == expected


def test_query_string_does_not_change_the_signature() -> None:
    plain = signing.authorization("99", b"k", "GET", "/v2/session", DOC_DATE, 0)
    with_query = signing.authorization(
        "99", b"k", "GET", "https://api.startexam.com/v2/session?participantId=x", DOC_DATE, 0
    )
    assert plain == with_query
    assert plain.startswith("SharedKey 99:")


@pytest.mark.parametrize(
    ("method", "path", "length"),
    [("POST", "/v2/session", 0), ("GET", "/v2/sessions", 0), ("GET", "/v2/session", 1)],
)
def test_every_signed_part_changes_the_signature(method: str, path: str, length: int) -> None:
    reference = signing.authorization("99", b"k", "GET", "/v2/session", DOC_DATE, 0)
    assert signing.authorization("99", b"k", method, path, DOC_DATE, length) != reference


def test_http_date_is_rfc_1123_gmt() -> None:
    moment = calendar.timegm(time.strptime(DOC_DATE, "%a, %d %b %Y %H:%M:%S GMT"))
    assert signing.http_date(moment) == DOC_DATE


def test_secret_decoding() -> None:
    assert signing.decode_secret("c2VjcmV0", "raw") == b"c2VjcmV0"
    assert signing.decode_secret("c2VjcmV0", "base64") == b"secret"
    with pytest.raises(ValueError, match="not valid base64"):
        signing.decode_secret("not base64!", "base64")
    with pytest.raises(ValueError, match="unknown"):
        signing.decode_secret("x", "hex")
