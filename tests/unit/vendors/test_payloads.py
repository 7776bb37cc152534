"""The one reader of JSON signal bodies: bounded nesting, UTF-8 only, storable text."""

from __future__ import annotations

import sys

import pytest

from plugin.vendors.base import IncomingRequest
from plugin.vendors.errors import SignalRejectedError
from plugin.vendors.payloads import MAX_DEPTH
from plugin.vendors.payloads import declared_charset
from plugin.vendors.payloads import json_body
from plugin.vendors.payloads import nested_deeper_than


def body(raw: bytes, content_type: str = "application/json") -> IncomingRequest:
    return IncomingRequest("POST", "/cb", {"Content-Type": content_type}, {}, raw)


def refusal(raw: bytes, content_type: str = "application/json") -> SignalRejectedError:
    with pytest.raises(SignalRejectedError) as refused:
        json_body(body(raw, content_type), what="the body")
    return refused.value


def test_a_flat_object_is_read() -> None:
    assert json_body(body(b'{"a": [1, {"b": "[[[["}]}'), what="x") == {"a": [1, {"b": "[[[["}]}


@pytest.mark.parametrize("opening", [b"[", b'{"a":'])
def test_nesting_far_past_the_recursion_limit_is_refused_without_recursing(
    opening: bytes,
) -> None:
    deep = opening * (sys.getrecursionlimit() * 100)

    refused = refusal(deep)

    assert refused.status == 400 and "nested deeper than 32 levels" in str(refused)


def test_nesting_up_to_the_limit_is_read_and_one_more_is_refused() -> None:
    ok = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    assert json_body(body(ok), what="x") is not None
    assert "nested deeper" in str(refusal(b"[" + ok + b"]"))


@pytest.mark.parametrize(
    ("text", "deeper"),
    [
        ('"' + "[" * 100 + '"', False),  # brackets inside a string do not count
        ('"\\"' + "[" * 100 + '"', False),  # nor after an escaped quote in it
        ("]" * 100 + "[" * 33, True),  # stray closing brackets hide nothing
        ('"unterminated ' + "[" * 100, False),  # json.loads refuses it at once
        ("{" * 20 + "[" * 13, True),  # objects and arrays count alike
        ("[]" * 1000, False),
    ],
)
def test_depth_is_measured_outside_strings(text: str, deeper: bool) -> None:
    assert nested_deeper_than(text, MAX_DEPTH) is deeper


def test_bytes_that_are_not_utf8_are_refused() -> None:
    refused = refusal('{"Status": "Terminé"}'.encode("latin-1"))
    assert refused.status == 400 and "not UTF-8" in str(refused)


@pytest.mark.parametrize("charset", ["ISO-8859-1", '"utf-16"', "windows-1252"])
def test_a_declared_charset_other_than_utf8_is_unsupported_media(charset: str) -> None:
    refused = refusal(b"{}", f"application/json; charset={charset}")
    assert refused.status == 415 and "only UTF-8" in str(refused)


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", '"utf-8"', "us-ascii"])
def test_utf8_charsets_are_read(charset: str) -> None:
    assert json_body(body(b"{}", f"application/json;charset={charset}"), what="x") == {}


def test_the_charset_is_read_from_the_parameters_only() -> None:
    assert declared_charset("application/json") is None
    assert declared_charset("text/plain; format=flowed; Charset=Latin1") == "latin1"


@pytest.mark.parametrize(
    "raw", [b'{"a": "\\u0000"}', b'{"\\ud800": 1}', b'["ok", ["\\udfff"]]'], ids=str
)
def test_strings_no_database_can_hold_are_refused(raw: bytes) -> None:
    refused = refusal(raw)
    assert refused.status == 400 and "NUL character or a lone surrogate" in str(refused)


def test_a_surrogate_pair_is_one_character_and_read() -> None:
    assert json_body(body(b'{"a": "\\ud83d\\ude00"}'), what="x") == {"a": "\U0001f600"}


def test_text_that_is_not_json_says_where() -> None:
    refused = refusal(b'{"a": }')
    assert refused.status == 400 and "the body is not JSON" in str(refused)
    assert "line 1, column 7" in str(refused)
