"""Values our pages hand to browsers signed with the app's ``SECRET_KEY``; each use has
its own salt, so a value signed for one use is refused by another."""

from __future__ import annotations

from flask import current_app
from itsdangerous import URLSafeTimedSerializer


def signer(salt: str) -> URLSafeTimedSerializer:
    """The signer of values salted with ``salt``."""
    key = current_app.secret_key
    assert key, "plugin.runtime sets SECRET_KEY"
    return URLSafeTimedSerializer(key, salt=salt)
