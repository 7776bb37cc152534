"""ProctorExam request signing (``docs/vendors/proctorexam.md#signing``): our own vector and
the documented rules."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from plugin.vendors.proctorexam import signing

OWN_VECTOR = {"id": 1, "nonce": 1527500365, "page": 1, "timestamp": 1527500365052}


def test_own_vector() -> None:
    assert signing.base_string(OWN_VECTOR) == "id=1?nonce=1527500365?page=1?timestamp=1527500365052"
    assert (
        signing.sign("secret", OWN_VECTOR)
        == "df41de497abe0db8fdf626767c686e7677b3b8b8e9f1f002b86b96d64d1d502c"
    )


def test_order_is_by_name_not_by_insertion() -> None:
    shuffled = dict(reversed(list(OWN_VECTOR.items())))
    assert signing.sign("secret", shuffled) == signing.sign("secret", OWN_VECTOR)


def test_signature_itself_is_not_signed() -> None:
    with_signature = {**OWN_VECTOR, "signature": "anything"}
    assert signing.base_string(with_signature) == signing.base_string(OWN_VECTOR)


def test_values_are_not_url_encoded() -> None:
    params = {"email": "a+b@example.org", "name": "Ada & Co", "filter": '{"x":{"eq":"y z"}}'}
    assert signing.base_string(params) == (
        'email=a+b@example.org?filter={"x":{"eq":"y z"}}?name=Ada & Co'
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "true"),
        (False, "false"),
        (None, ""),
        (12, "12"),
        ("12", "12"),
        (["a", "b"], '["a", "b"]'),
        ({"k": 1}, '{"k": 1}'),
    ],
)
def test_rendering_of_values(value: object, text: str) -> None:
    assert signing.render(value) == text


def test_signed_adds_nonce_timestamp_and_a_matching_signature() -> None:
    full = signing.signed("k", {"exam_id": 5, "page": 2}, timestamp_ms=1000, nonce=7)
    assert (full["nonce"], full["timestamp"]) == (7, 1000)
    expected = hmac.new(
        b"k", b"exam_id=5?nonce=7?page=2?timestamp=1000", hashlib.sha256
    ).hexdigest()
    assert full["signature"] == expected


def test_nonces_are_numbers_that_never_repeat_even_with_a_frozen_clock() -> None:
    nonces = signing.NonceSource(lambda: 1_700_000_000.0)
    drawn = [nonces() for _ in range(200)]
    assert drawn == sorted(set(drawn))
    assert all(1_700_000_000_000 * 10**6 <= n < 1_700_000_000_001 * 10**6 + 200 for n in drawn)
