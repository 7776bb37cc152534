"""StartExam SharedKey request signing.

Source: https://api.startexam.com/Help/Authorization (``docs/vendors/startexam.md#signing``)::

    Authorization: SharedKey <AccountId>:Base64(HMAC-SHA256(secret, StringToSign))
    StringToSign = VERB + " " + CanonicalPath + " " + Date + " " + Content-Length

``CanonicalPath`` is the absolute path, lowercase, without scheme, host or query
(so the query string is not signed); ``Date`` is the exact value of the ``Date``
header (RFC 1123), which StartExam refuses when older than 15 minutes.

Readings chosen where the page is cut off:

- the secret is used as its raw UTF-8 bytes, as both public clients do; a
  connection can switch to the base64-decoded bytes (``key_encoding``);
- a request without a body signs a Content-Length of ``0``.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import hashlib
import hmac
import urllib.parse

SCHEME = "SharedKey"
#: StartExam refuses a ``Date`` older than this many seconds.
MAX_DATE_AGE_S = 15 * 60


def canonical_path(url_or_path: str) -> str:
    """The absolute path of ``url_or_path``, lowercase, without query or fragment."""
    path = urllib.parse.urlsplit(url_or_path).path or "/"
    return path.lower() if path.startswith("/") else "/" + path.lower()


def string_to_sign(method: str, url_or_path: str, date: str, content_length: int) -> str:
    """``VERB path date length`` as StartExam defines it."""
    return f"{method.upper()} {canonical_path(url_or_path)} {date} {content_length}"


def sign(key: bytes, text: str) -> str:
    """Base64 of the HMAC-SHA256 of the UTF-8 ``text`` under ``key``."""
    digest = hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def authorization(
    account_id: str, key: bytes, method: str, url_or_path: str, date: str, content_length: int
) -> str:
    """The ``Authorization`` header value for one request."""
    text = string_to_sign(method, url_or_path, date, content_length)
    return f"{SCHEME} {account_id}:{sign(key, text)}"


def http_date(timestamp: float) -> str:
    """An RFC 1123 date such as ``Thu, 16 Jan 2025 05:09:50 GMT``."""
    return email.utils.formatdate(timestamp, usegmt=True)


def decode_secret(secret: str, encoding: str) -> bytes:
    """The HMAC key bytes of ``secret``.

    :param encoding: ``raw`` (UTF-8 bytes) or ``base64`` (decoded bytes).
    :raises ValueError: unknown encoding, or a secret that is not valid base64.
    """
    if encoding == "raw":
        return secret.encode("utf-8")
    if encoding == "base64":
        try:
            return base64.b64decode(secret, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("the StartExam secret key is not valid base64") from exc
    raise ValueError(f"unknown secret encoding {encoding!r}")
