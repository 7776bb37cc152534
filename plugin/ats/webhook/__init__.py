"""Signed webhook: results posted as JSON with an HMAC-SHA256 signature header."""

from __future__ import annotations

from plugin.ats.webhook.config import WebhookConfig
from plugin.ats.webhook.signature import sign
from plugin.ats.webhook.signature import verify_signature
from plugin.ats.webhook.sink import WebhookSink

__all__ = ["WebhookConfig", "WebhookSink", "sign", "verify_signature"]
