"""A local receiver of signed webhook deliveries, with a control API."""

from __future__ import annotations

from plugin.sandbox.ats.webhook.app import create_webhook_receiver_app
from plugin.sandbox.ats.webhook.client import SandboxWebhookReceiver
from plugin.sandbox.ats.webhook.client import SandboxWebhookReceiverError

__all__ = ["SandboxWebhookReceiver", "SandboxWebhookReceiverError", "create_webhook_receiver_app"]
