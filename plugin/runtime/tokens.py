"""Unguessable tokens, and the form they are stored in.

A token carries 192 bits or more of randomness, so its SHA-256 is as good a lookup key
as a keyed hash and, unlike one, survives a change of ``BRIDGE_SECRET_KEYS``: rows are
found by :func:`token_digest`, and the token itself is kept Fernet-encrypted where a URL
has to be built from it again.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random token of ``nbytes`` bytes."""
    return secrets.token_urlsafe(nbytes)


def token_digest(token: str) -> str:
    """The hex SHA-256 of ``token``: what the store keeps and looks up."""
    return hashlib.sha256(token.encode()).hexdigest()
