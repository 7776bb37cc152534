"""The platform's rotating RSA signing keys and the JWKS that publishes them.

Keys are generated once and kept as loaded ``cryptography`` objects, so signing an id_token
never parses a PEM.
"""

from __future__ import annotations

import base64
import dataclasses
import secrets
import threading

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_SIZE = 2048


@dataclasses.dataclass(frozen=True)
class SigningKey:
    """One platform key pair.

    :ivar kid: key id written in JWT headers and in the JWKS.
    :ivar private_key: the loaded private key.
    :ivar public_jwk: the public half as a JWK.
    :ivar public_pem: the public half as PEM bytes (used only by the HS256 key-confusion attack).
    """

    kid: str
    private_key: rsa.RSAPrivateKey
    public_jwk: dict[str, str]
    public_pem: bytes


def _b64uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def generate_signing_key(key_size: int = KEY_SIZE) -> SigningKey:
    """Generate a fresh RSA key pair with a random ``kid``."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    public_key = private_key.public_key()
    numbers = public_key.public_numbers()
    kid = secrets.token_hex(8)
    jwk = {
        "kty": "RSA",
        "kid": kid,
        "alg": "RS256",
        "use": "sig",
        "n": _b64uint(numbers.n),
        "e": _b64uint(numbers.e),
    }
    pem = public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return SigningKey(kid=kid, private_key=private_key, public_jwk=jwk, public_pem=pem)


class PlatformKeyRing:
    """Published keys, newest last; the newest one signs.

    Rotation adds a key and signs with it at once while the older keys stay in the JWKS, so tools
    holding a cached JWKS must refetch on the unknown ``kid``. Retiring drops all but the newest.
    """

    def __init__(self, key_size: int = KEY_SIZE) -> None:
        self._key_size = key_size
        self._lock = threading.Lock()
        self._keys = [generate_signing_key(key_size)]
        self._unpublished: SigningKey | None = None

    def current(self) -> SigningKey:
        """Return the key that signs new id_tokens."""
        with self._lock:
            return self._keys[-1]

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """Return the JWKS document listing every published key."""
        with self._lock:
            return {"keys": [dict(key.public_jwk) for key in self._keys]}

    def rotate(self) -> SigningKey:
        """Publish a new key and make it the signing key."""
        fresh = generate_signing_key(self._key_size)
        with self._lock:
            self._keys.append(fresh)
        return fresh

    def retire(self) -> list[str]:
        """Unpublish every key but the newest.

        :return: the ``kid`` values that were retired.
        """
        with self._lock:
            retired = [key.kid for key in self._keys[:-1]]
            del self._keys[:-1]
        return retired

    def unpublished(self) -> SigningKey:
        """Return a key that never appears in the JWKS (for the ``unknown_kid`` attack)."""
        with self._lock:
            if self._unpublished is None:
                self._unpublished = generate_signing_key(self._key_size)
            return self._unpublished
