"""Mettl request signing: the ``ak``/``ts``/``asgn`` query parameters.

Source: Mettl KB "API Authentication and Signature Generation" and "1. Get Account
Info" (https://support.mettl.com/portal/en/kb/articles/get-account-info-api), worked
examples in KB "16. Get Results of All Candidates in Schedule"
(``docs/vendors/mettl.md#test-vectors``).

String-to-Sign = HTTP method + full URL (scheme, host, path; no separator, no query)
followed, for every query parameter except ``asgn`` in ascending order of its name,
by ``"\\n"`` and the parameter's raw (not URL-encoded) value. The signature is the
Base-64 of HMAC-SHA256 keyed with the Private-API-Key (API versions 2 and 3; only v1
used HMAC-SHA1 and this connector calls no v1 endpoint). It is URL-encoded, like every
value, when the query string is built.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import typing as t
import urllib.parse

if t.TYPE_CHECKING:
    from collections.abc import Mapping

SIGNATURE_PARAM = "asgn"


def string_to_sign(method: str, url: str, params: Mapping[str, str]) -> str:
    """The exact text Mettl hashes for a request (``asgn`` itself is left out)."""
    values = "".join("\n" + params[name] for name in sorted(params) if name != SIGNATURE_PARAM)
    return method.upper() + url + values


def signature(private_key: str, method: str, url: str, params: Mapping[str, str]) -> str:
    """Base-64 HMAC-SHA256 of :func:`string_to_sign`, before URL-encoding."""
    digest = hmac.new(
        private_key.encode("utf-8"),
        string_to_sign(method, url, params).encode("utf-8"),
        hashlib.sha256,
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_query(
    *,
    public_key: str,
    private_key: str,
    method: str,
    url: str,
    params: Mapping[str, str],
    timestamp: int,
) -> str:
    """The URL-encoded query string carrying ``params`` plus ``ak``, ``ts`` and ``asgn``.

    :param url: the full URL without query, exactly as it will be requested (path
        segments already percent-encoded), because the signature covers it.
    :param timestamp: Unix seconds; Mettl accepts it for 24 hours.
    """
    query = {**params, "ak": public_key, "ts": str(timestamp)}
    query[SIGNATURE_PARAM] = signature(private_key, method, url, query)
    return urllib.parse.urlencode(query, quote_via=urllib.parse.quote)
