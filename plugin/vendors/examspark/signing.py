"""OAuth 1.0a HMAC-SHA1 signing and verification (RFC 5849) with the body hash extension.

ExamSpark's grade passback reuses LTI 1.1 Basic Outcomes, whose messages are
signed with OAuth 1.0a: consumer key = the app key, consumer secret = the app
secret, no token, and the body covered by ``oauth_body_hash`` (base64 SHA-1 of
the raw body, "OAuth Request Body Hash" draft, as LTI 1.1 requires).

References: https://www.rfc-editor.org/rfc/rfc5849 (sections 3.4.1 to 3.4.2, 3.5.1, 3.6),
https://www.imsglobal.org/specs/ltiomv1p0/specification (section 4.3, message signing).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import typing as t
import urllib.parse

from plugin.errors import AppError

if t.TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Sequence

SIGNATURE_METHOD = "HMAC-SHA1"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HEADER_PARAM = re.compile(r'\s*([A-Za-z0-9_.~%-]+)\s*=\s*"([^"]*)"\s*(?:,|$)')


class OAuthError(AppError):
    """A signed request failed verification; the message says which check failed."""


def percent_encode(value: str) -> str:
    """RFC 5849 section 3.6: UTF-8, then every byte but ``ALPHA DIGIT - . _ ~`` escaped."""
    return urllib.parse.quote(value.encode("utf-8"), safe="-._~")


def base_string_uri(url: str) -> str:
    """RFC 5849 section 3.4.1.2: lower-case scheme and host, no default port, no query."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    return f"{scheme}://{host}{parts.path or '/'}"


def normalize_parameters(params: Iterable[tuple[str, str]]) -> str:
    """RFC 5849 section 3.4.1.3.2: encode, sort by name then value, join with ``&``."""
    encoded = sorted((percent_encode(name), percent_encode(value)) for name, value in params)
    return "&".join(f"{name}={value}" for name, value in encoded)


def signature_base_string(method: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """RFC 5849 section 3.4.1.1.

    :param params: every request parameter (query, form body, ``oauth_*`` except
        ``oauth_signature`` and ``realm``); the query of ``url`` is ignored here.
    """
    return "&".join(
        (
            percent_encode(method.upper()),
            percent_encode(base_string_uri(url)),
            percent_encode(normalize_parameters(params)),
        )
    )


def hmac_sha1_signature(base_string: str, consumer_secret: str, token_secret: str = "") -> str:
    """RFC 5849 section 3.4.2: base64 HMAC-SHA1 keyed by the encoded secrets joined by ``&``."""
    key = f"{percent_encode(consumer_secret)}&{percent_encode(token_secret)}"
    digest = hmac.new(key.encode("ascii"), base_string.encode("ascii"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def body_hash(body: bytes) -> str:
    """``oauth_body_hash``: base64 of the SHA-1 of the raw body bytes."""
    return base64.b64encode(hashlib.sha1(body).digest()).decode("ascii")  # noqa: S324 - the spec's hash


def query_pairs(url: str) -> list[tuple[str, str]]:
    """The query parameters of ``url``, decoded, in order, blanks kept."""
    return urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True)


def sign(
    *,
    method: str,
    url: str,
    body: bytes,
    consumer_key: str,
    consumer_secret: str,
    timestamp: int,
    nonce: str | None = None,
) -> dict[str, str]:
    """The ``oauth_*`` parameters, signature included, for a body-hash signed request.

    :param url: the full target URL; its query parameters are signed too.
    """
    oauth = {
        "oauth_body_hash": body_hash(body),
        "oauth_consumer_key": consumer_key,
        "oauth_nonce": nonce or secrets.token_hex(16),
        "oauth_signature_method": SIGNATURE_METHOD,
        "oauth_timestamp": str(timestamp),
        "oauth_version": "1.0",
    }
    base = signature_base_string(method, url, [*query_pairs(url), *oauth.items()])
    oauth["oauth_signature"] = hmac_sha1_signature(base, consumer_secret)
    return oauth


def authorization_header(oauth_params: dict[str, str], realm: str | None = None) -> str:
    """RFC 5849 section 3.5.1: ``OAuth realm="...", name="encoded value", ...``."""
    fields = [f'realm="{realm}"'] if realm is not None else []
    fields += [f'{percent_encode(k)}="{percent_encode(v)}"' for k, v in oauth_params.items()]
    return "OAuth " + ", ".join(fields)


def parse_authorization_header(value: str) -> list[tuple[str, str]]:
    """The decoded ``name, value`` pairs of an ``OAuth`` header, ``realm`` left out.

    :raises OAuthError: not an OAuth header, or a part that is not ``name="value"``.
    """
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "oauth":
        raise OAuthError("the Authorization header is not an OAuth header")
    pairs: list[tuple[str, str]] = []
    position = 0
    rest = rest.strip()
    while position < len(rest):
        match = _HEADER_PARAM.match(rest, position)
        if match is None:
            raise OAuthError("the OAuth header is malformed")
        name, raw = urllib.parse.unquote(match.group(1)), urllib.parse.unquote(match.group(2))
        if name != "realm":
            pairs.append((name, raw))
        position = match.end()
    return pairs


def oauth_parameters(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The ``oauth_*`` pairs as a dict.

    :raises OAuthError: a parameter appears twice (RFC 5849 section 3.1 forbids it).
    """
    found: dict[str, str] = {}
    for name, value in pairs:
        if not name.startswith("oauth_"):
            continue
        if name in found:
            raise OAuthError(f"the parameter {name} appears more than once")
        found[name] = value
    return found
