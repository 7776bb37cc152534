"""Logging setup: one format, and a filter that masks secrets that slip into messages."""

from __future__ import annotations

import logging
import re

_SECRET_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"(?i)((?:token|secret|password|api[_-]?key|signature|asgn)=)[^&\s\"']+"),
    re.compile(r"(/callbacks/[^/\s]+/[^/\s?]+/)[A-Za-z0-9_-]{8,}"),
    re.compile(r"(/return/)[A-Za-z0-9_-]{8,}"),
)


def mask_secrets(text: str) -> str:
    """Replace bearer tokens, secret query parameters and URL tokens with ``***``."""
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
