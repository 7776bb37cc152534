"""Logging setup: one format, and a filter that masks secrets that slip into messages."""

from __future__ import annotations

import logging
import re

_SECRET_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"(?i)((?:token|secret|password|api[_-]?key|signature|asgn)=)[^&\s\"']+"),
    # The same inside an encoded query value (a callback URL in Mettl's ``sc`` JSON), up to
    # the encoded ``&``.
    re.compile(
        r"(?i)((?:token|secret|password|api[_-]?key|signature|asgn)%3D)(?:(?!%26)[^&\s\"'])+"
    ),
    re.compile(r"(/callbacks/[^/\s]+/[^/\s?]+/)[A-Za-z0-9_-]{8,}"),
    re.compile(r"(/return/)[A-Za-z0-9_-]{8,}"),
    re.compile(r"(/lti/register/)[A-Za-z0-9_-]{8,}"),
)
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def decode_unreserved(text: str) -> str:
    """Decode, in one pass, the percent-escapes of unreserved characters (RFC 3986 2.3).

    ``%74oken`` names the same query parameter as ``token`` and ``/return/%51s8...`` the
    same token as ``/return/Qs8...``, so masking must see the decoded form.  Escapes of
    delimiters (``&``, ``=``, ``/``), of ``%`` itself and of control or non-ASCII bytes
    stay encoded: a value cannot end early, ``%2574`` stays what the server reads once
    decoded (``%74``), and no line break can be forged into the log.
    """

    def decode(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else match.group(0)

    return _ESCAPE.sub(decode, text)


def mask_secrets(text: str) -> str:
    """Replace bearer tokens, secret query parameters and URL tokens with ``***``, after
    :func:`decode_unreserved` (the text returned is the decoded one)."""
    text = decode_unreserved(text)
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda match: match.group(1) + "***", text)
    return text


class SecretMaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    if not any(isinstance(f, SecretMaskingFilter) for h in root.handlers for f in h.filters):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(SecretMaskingFilter())
        root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
