"""Secrets at rest: a ``MultiFernet`` built from ``BRIDGE_SECRET_KEYS`` or a generated key file.

The first key encrypts; every key decrypts, so a new key can be put in front and
old ciphertexts re-encrypted at leisure (``assessment-bridge secrets rotate``,
:mod:`plugin.runtime.rotation`), after which the old keys can be dropped.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from cryptography.fernet import MultiFernet

from config import Settings
from config import SettingsError
from plugin.errors import AppError

log = logging.getLogger(__name__)

KEY_FILE_NAME = "secret.key"


class SecretBox:
    """Encrypts and decrypts small secrets (private keys, vendor credentials)."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        if not keys:
            raise ValueError("at least one Fernet key is needed")
        self._fernets = [Fernet(key) for key in keys]
        self._fernet = MultiFernet(self._fernets)
        self._first_key = keys[0].encode()

    def derive_key(self, purpose: str) -> bytes:
        """A 32-byte key for ``purpose`` derived from the newest encryption key."""
        return hmac.new(self._first_key, purpose.encode(), hashlib.sha256).digest()

    def encrypt(self, plaintext: bytes) -> bytes:
        return self._fernet.encrypt(plaintext)

    def decrypt(self, token: bytes) -> bytes:
        """:raises SecretError: when no configured key opens ``token``."""
        try:
            return self._fernet.decrypt(token)
        except InvalidToken:
            raise _unreadable() from None

    def rotate(self, token: bytes) -> bytes:
        """``token`` encrypted again with the first key (its original timestamp kept).

        :raises SecretError: when no configured key opens ``token``.
        """
        try:
            return self._fernet.rotate(token)
        except InvalidToken:
            raise _unreadable() from None

    def is_current(self, token: bytes) -> bool:
        """Whether ``token`` opens with the first key (a rotation would leave it as it is)."""
        try:
            self._fernets[0].decrypt(token)
        except InvalidToken:
            return False
        return True

    def encrypt_like(self, token: bytes, plaintext: bytes) -> bytes:
        """Encrypt ``plaintext`` with the key that opens ``token``: a value that must stop
        opening exactly when ``token`` does (the key canary of a database from a release
        before it).

        :raises SecretError: when no configured key opens ``token``.
        """
        for fernet in self._fernets:
            try:
                fernet.decrypt(token)
            except InvalidToken:
                continue
            return fernet.encrypt(plaintext)
        raise _unreadable()


class SecretError(AppError):
    """A stored secret could not be decrypted."""


def _unreadable() -> SecretError:
    return SecretError(
        "a stored secret cannot be decrypted with the configured keys;"
        " BRIDGE_SECRET_KEYS must still contain the key it was written with"
    )


def load_secret_keys(settings: Settings) -> tuple[str, ...]:
    """Keys from the environment, else from the data directory (created on first run)."""
    if settings.secret_keys:
        return settings.secret_keys
    key_file = settings.data_dir / KEY_FILE_NAME
    if key_file.exists():
        return _read_key_file(key_file)
    key = Fernet.generate_key()
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
    log.warning(
        "generated an encryption key at %s; back it up, or set BRIDGE_SECRET_KEYS", key_file
    )
    return (key.decode(),)


def _read_key_file(path: Path) -> tuple[str, ...]:
    keys = tuple(line.strip() for line in path.read_text().splitlines() if line.strip())
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise SettingsError(f"{path} holds something that is not a Fernet key") from None
    if not keys:
        raise SettingsError(f"{path} is empty; delete it to generate a new key")
    return keys
