"""OAuth 1.0a signing and verification for ExamSpark grade passback.

Vectors: RFC 5849 section 1.2 (three signed requests), section 3.4.1 (signature base
string and normalized parameters), section 3.4.1.2 (base string URI), and the body
hash of "Hello World!" from the OAuth Request Body Hash draft.
"""

from __future__ import annotations

import pytest

from plugin.runtime.shared_store import MemoryStore
from plugin.vendors.examspark.signing import OAuthError
from plugin.vendors.examspark.signing import authorization_header
from plugin.vendors.examspark.signing import base_string_uri
from plugin.vendors.examspark.signing import body_hash
from plugin.vendors.examspark.signing import hmac_sha1_signature
from plugin.vendors.examspark.signing import normalize_parameters
from plugin.vendors.examspark.signing import oauth_parameters
from plugin.vendors.examspark.signing import parse_authorization_header
from plugin.vendors.examspark.signing import percent_encode
from plugin.vendors.examspark.signing import query_pairs
from plugin.vendors.examspark.signing import sign
from plugin.vendors.examspark.signing import signature_base_string
from plugin.vendors.examspark.verification import OAuthVerifier
from tests.unit.vendors.helpers import Clock

RFC_CONSUMER_KEY = "dpf43f3p2l4k3l03"
RFC_CONSUMER_SECRET = "kd94hf93k423kf44"

RFC_5849_EXAMPLES = [
    pytest.param(
        "POST",
        "https://photos.example.net/initiate",
        [
            ("oauth_consumer_key", RFC_CONSUMER_KEY),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131200"),
            ("oauth_nonce", "wIjqoS"),
            ("oauth_callback", "http://printer.example.com/ready"),
        ],
        "",
        "74KNZJeDHnMBp0EMJ9ZHt/XKycU=",
        id="temporary-credentials",
    ),
    pytest.param(
        "POST",
        "https://photos.example.net/token",
        [
            ("oauth_consumer_key", RFC_CONSUMER_KEY),
            ("oauth_token", "hh5s93j4hdidpola"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131201"),
            ("oauth_nonce", "walatlh"),
            ("oauth_verifier", "hfdp7dh39dks9884"),
        ],
        "hdhd0244k9j7ao03",
        "gKgrFCywp7rO0OXSjdot/IHF7IU=",
        id="token-credentials",
    ),
    pytest.param(
        "GET",
        "http://photos.example.net/photos?file=vacation.jpg&size=original",
        [
            ("oauth_consumer_key", RFC_CONSUMER_KEY),
            ("oauth_token", "nnch734d00sl2jdk"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131202"),
            ("oauth_nonce", "chapoH"),
        ],
        "pfkkdhi9sl3r4s00",
        "MdpQcU8iPSUjWoN/UDMsK2sui9I=",
        id="protected-resource",
    ),
]

SECTION_3_4_1_PARAMS = [
    ("b5", "=%3D"),
    ("a3", "a"),
    ("c@", ""),
    ("a2", "r b"),
    ("oauth_consumer_key", "9djdj82h48djs9d2"),
    ("oauth_token", "kkk9d7dh3k39sjv7"),
    ("oauth_signature_method", "HMAC-SHA1"),
    ("oauth_timestamp", "137131201"),
    ("oauth_nonce", "7d8f3e4a"),
    ("c2", ""),
    ("a3", "2 q"),
]


@pytest.mark.parametrize(("method", "url", "oauth", "token_secret", "expected"), RFC_5849_EXAMPLES)
def test_rfc_5849_section_1_2_signatures(
    method: str, url: str, oauth: list[tuple[str, str]], token_secret: str, expected: str
) -> None:
    base = signature_base_string(method, url, [*query_pairs(url), *oauth])
    assert hmac_sha1_signature(base, RFC_CONSUMER_SECRET, token_secret) == expected


def test_rfc_5849_section_3_4_1_base_string() -> None:
    expected = (
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q"
        "%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_"
        "key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m"
        "ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk"
        "9d7dh3k39sjv7"
    )
    assert signature_base_string("POST", "http://example.com/request", SECTION_3_4_1_PARAMS) == (
        expected
    )


def test_rfc_5849_section_3_4_1_3_2_normalized_parameters() -> None:
    assert normalize_parameters(SECTION_3_4_1_PARAMS) == (
        "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9dj"
        "dj82h48djs9d2&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1"
        "&oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://EXAMPLE.COM:80/r%20v/X?id=123", "http://example.com/r%20v/X"),
        ("https://www.example.net:8080/?q=1", "https://www.example.net:8080/"),
        ("https://Example.com:443", "https://example.com/"),
    ],
)
def test_base_string_uri(url: str, expected: str) -> None:
    assert base_string_uri(url) == expected


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        ("Ladies + Gentlemen", "Ladies%20%2B%20Gentlemen"),
        ("An encoded string!", "An%20encoded%20string%21"),
        ("Dogs, Cats & Mice", "Dogs%2C%20Cats%20%26%20Mice"),
        ("-._~", "-._~"),
        ("\u2603", "%E2%98%83"),
    ],
)
def test_percent_encode(raw: str, encoded: str) -> None:
    assert percent_encode(raw) == encoded


def test_body_hash_of_hello_world() -> None:
    assert body_hash(b"Hello World!") == "Lve95gjOVATpfV8EL5X4nxwjKHE="


def test_header_round_trip_keeps_encoded_values() -> None:
    params = {"oauth_consumer_key": "key with space", "oauth_signature": "a+b/c="}
    header = authorization_header(params, realm="")
    assert header.startswith('OAuth realm="", ')
    assert parse_authorization_header(header) == list(params.items())


@pytest.mark.parametrize("header", ["Basic abc", "OAuth oauth_nonce=unquoted", 'OAuth a="1" b="2"'])
def test_malformed_headers_are_refused(header: str) -> None:
    with pytest.raises(OAuthError):
        parse_authorization_header(header)


def test_duplicate_oauth_parameter_is_refused() -> None:
    with pytest.raises(OAuthError, match="more than once"):
        oauth_parameters([("oauth_nonce", "a"), ("oauth_nonce", "b")])


URL = "https://bridge.example.org/callbacks/examspark/7?x=1"
BODY = b"<imsx_POXEnvelopeRequest/>"
NOW = 1_700_000_000


def _signed(
    *,
    secret: str = "secret",
    key: str = "key",
    timestamp: int = NOW,
    body: bytes = BODY,
    nonce: str | None = None,
) -> str:
    params = sign(
        method="POST",
        url=URL,
        body=body,
        consumer_key=key,
        consumer_secret=secret,
        timestamp=timestamp,
        nonce=nonce,
    )
    return authorization_header(params)


def _verifier(clock: Clock | None = None, window_s: int = 300) -> OAuthVerifier:
    clock = clock or Clock(NOW)
    return OAuthVerifier(
        consumer_key="key",
        consumer_secret="secret",
        nonces=MemoryStore(),
        window_s=window_s,
        clock=clock,
    )


def _verify(
    verifier: OAuthVerifier, header: str | None, *, body: bytes = BODY, url: str = URL
) -> None:
    verifier.verify(method="POST", url=url, query=query_pairs(url), authorization=header, body=body)


def test_verifier_accepts_a_signed_request() -> None:
    result = _verifier().verify(
        method="POST", url=URL, query=[("x", "1")], authorization=_signed(nonce="n1"), body=BODY
    )
    assert (result.consumer_key, result.nonce, result.timestamp) == ("key", "n1", NOW)


@pytest.mark.parametrize(
    ("header", "body", "url", "reason"),
    [
        (None, BODY, URL, "no OAuth Authorization"),
        (_signed(secret="other"), BODY, URL, "signature does not match"),
        (_signed(key="other"), BODY, URL, "unknown oauth_consumer_key"),
        (_signed(), b"<changed/>", URL, "oauth_body_hash does not match"),
        (_signed(), BODY, URL.replace("x=1", "x=2"), "signature does not match"),
        (_signed(), BODY, URL.replace("/7", "/8"), "signature does not match"),
        (_signed(timestamp=NOW - 301), BODY, URL, "more than 300 s"),
        (_signed(timestamp=NOW + 301), BODY, URL, "more than 300 s"),
        ('OAuth oauth_consumer_key="key"', BODY, URL, "missing OAuth parameters"),
    ],
)
def test_verifier_refuses(header: str | None, body: bytes, url: str, reason: str) -> None:
    with pytest.raises(OAuthError, match=reason):
        _verify(_verifier(), header, body=body, url=url)


def test_verifier_refuses_other_methods_and_versions() -> None:
    header = _signed().replace("HMAC-SHA1", "PLAINTEXT")
    with pytest.raises(OAuthError, match="unsupported oauth_signature_method"):
        _verify(_verifier(), header)
    with pytest.raises(OAuthError, match="unsupported oauth_version"):
        _verify(_verifier(), _signed().replace('oauth_version="1.0"', 'oauth_version="2.0"'))


def test_nonce_reuse_is_refused_until_it_expires() -> None:
    clock = Clock(NOW)
    verifier = _verifier(clock, window_s=60)
    header = _signed(nonce="same")
    _verify(verifier, header)
    with pytest.raises(OAuthError, match="nonce was already used"):
        _verify(verifier, header)
    clock.now += 121
    fresh = _signed(nonce="same", timestamp=int(clock.now))
    _verify(verifier, fresh)


def test_forged_request_does_not_burn_the_nonce() -> None:
    verifier = _verifier()
    with pytest.raises(OAuthError):
        _verify(verifier, _signed(secret="forged", nonce="n"))
    _verify(verifier, _signed(nonce="n"))


class RecordingStore(MemoryStore):
    """The shared memory store, noting the key and lifetime of each nonce."""

    def __init__(self) -> None:
        super().__init__()
        self.added: list[tuple[str, int]] = []

    def add(self, key: str, value: object, ttl_seconds: int) -> bool:
        self.added.append((key, ttl_seconds))
        return super().add(key, value, ttl_seconds)


@pytest.mark.parametrize(
    ("skew", "ttl"),
    [(0, 61), (60, 121), (-60, 1), (-30, 31)],
)
def test_a_nonce_is_kept_while_its_timestamp_is_in_the_window(skew: int, ttl: int) -> None:
    """Once the timestamp leaves the window the request is refused as stale, so the
    shared store keeps the nonce exactly that long (a sender ahead of us: up to twice)."""
    store = RecordingStore()
    verifier = OAuthVerifier(
        consumer_key="key",
        consumer_secret="secret",
        nonces=store,
        window_s=60,
        nonce_scope="vendor-7",
        clock=Clock(NOW),
    )
    _verify(verifier, _signed(nonce="n1", timestamp=NOW + skew))
    assert store.added == [(f"oauth-nonce:vendor-7:key:{NOW + skew}:n1", ttl)]


def test_connections_sharing_a_store_keep_their_nonces_apart() -> None:
    store = MemoryStore()
    first, second = (
        OAuthVerifier(
            consumer_key="key",
            consumer_secret="secret",
            nonces=store,
            nonce_scope=scope,
            clock=Clock(NOW),
        )
        for scope in ("vendor-1", "vendor-2")
    )
    header = _signed(nonce="shared")
    _verify(first, header)
    _verify(second, header)
    with pytest.raises(OAuthError, match="nonce was already used"):
        _verify(first, header)
