"""The clear tokens behind sealed rows, as a test needs them to build URLs."""

from __future__ import annotations

from flask import Flask

from plugin.services import services
from plugin.store.models import Attempt
from plugin.store.models import VendorConnection


def attempt_token(app: Flask, attempt: Attempt) -> str:
    """The token in the attempt's return URLs."""
    return services(app).secrets.decrypt(attempt.token_encrypted).decode()


def callback_token(app: Flask, connection: VendorConnection) -> str:
    """The token in the connection's callback URL."""
    return services(app).secrets.decrypt(connection.callback_token_encrypted).decode()


def browser_token(app: Flask, connection: VendorConnection) -> str:
    """The token in the connection's browser return URL."""
    return services(app).secrets.decrypt(connection.browser_token_encrypted).decode()
