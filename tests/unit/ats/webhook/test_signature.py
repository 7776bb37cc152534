"""sign() and verify_signature(): the scheme receivers implement."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from plugin.ats.webhook import sign
from plugin.ats.webhook import verify_signature

SECRET = "whsec-0123456789abcdef"
BODY = '{"result_id":"r-1"}'
NOW = 1_750_000_000


def test_the_header_is_the_documented_hmac() -> None:
    expected = hmac.new(SECRET.encode(), f"{NOW}.{BODY}".encode(), hashlib.sha256).hexdigest()
    assert sign(SECRET, BODY, NOW) == f"t={NOW},v1={expected}"
    assert sign(SECRET, BODY.encode(), NOW) == sign(SECRET, BODY, NOW)


def test_round_trip() -> None:
    verify_signature(SECRET, sign(SECRET, BODY, NOW), BODY, now=NOW + 299)
    verify_signature(SECRET, sign(SECRET, BODY, NOW), BODY.encode(), now=NOW - 299)


def test_any_matching_v1_is_enough() -> None:
    good = sign(SECRET, BODY, NOW).split(",")[1]
    verify_signature(SECRET, f"t={NOW},v1={'0' * 64},{good}", BODY, now=NOW)


@pytest.mark.parametrize(
    ("header", "body", "now", "reason"),
    [
        (None, BODY, NOW, "missing"),
        ("", BODY, NOW, "missing"),
        ("v1=abc", BODY, NOW, "needs t="),
        (f"t={NOW}", BODY, NOW, "needs t="),
        (f"t=soon,v1={'0' * 64}", BODY, NOW, "needs t="),
        (sign(SECRET, BODY, NOW), BODY, NOW + 301, "from now"),
        (sign(SECRET, BODY, NOW), BODY, NOW - 301, "from now"),
        (sign(SECRET, BODY, NOW), BODY.replace("r-1", "r-2"), NOW, "does not match"),
        (sign("another-secret-of-16", BODY, NOW), BODY, NOW, "does not match"),
    ],
)
def test_refusals_say_why(header: str | None, body: str, now: int, reason: str) -> None:
    with pytest.raises(ValueError, match=reason) as caught:
        verify_signature(SECRET, header, body, now=now)
    assert SECRET not in str(caught.value)


def test_tolerance_is_a_parameter() -> None:
    header = sign(SECRET, BODY, NOW)
    verify_signature(SECRET, header, BODY, tolerance=1000, now=NOW + 999)
    with pytest.raises(ValueError, match="10 s"):
        verify_signature(SECRET, header, BODY, tolerance=10, now=NOW + 11)
