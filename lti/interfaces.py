"""What the LTI layer needs from the application, as small protocols."""

from __future__ import annotations

import dataclasses
import enum
import typing as t

if t.TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey


@dataclasses.dataclass(frozen=True)
class PlatformRecord:
    """One registration of the tool on a platform (issuer + client id)."""

    id: int
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    auth_audience: str | None = None
    #: Origins besides the issuer's that the platform's endpoints may use (an admin's choice).
    allowed_origins: tuple[str, ...] = ()


class DeploymentStatus(enum.Enum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    UNKNOWN = "unknown"


@dataclasses.dataclass(frozen=True)
class SigningKey:
    """The tool's current signing key, already loaded (loading a PEM costs milliseconds)."""

    kid: str
    private_key: RSAPrivateKey
    private_pem: str


class ToolStore(t.Protocol):
    """Registrations and deployments as the store keeps them."""

    def find_platforms(self, issuer: str, *, client_id: str | None = None) -> list[PlatformRecord]:
        """Every registration of ``issuer`` (one per client id).

        :param client_id: the one the caller looks for: a store that remembers answers
            must look again rather than answer from a memory that lacks it.
        """

    def deployment_status(self, platform: PlatformRecord, deployment_id: str) -> DeploymentStatus:
        """Whether ``deployment_id`` is an active, inactive or unknown deployment."""

    def record_refused_deployment(self, platform: PlatformRecord, deployment_id: str) -> None:
        """Remember a refused deployment (created inactive when unknown)."""


class KeySource(t.Protocol):
    """The tool's own keys."""

    def signing_key(self) -> SigningKey:
        """The key to sign with now."""

    def public_jwks(self) -> dict[str, list[dict[str, str]]]:
        """Every published public key as a JWK set."""


class Cache(t.Protocol):
    """The subset of a Flask-Caching ``Cache`` the LTI layer uses."""

    def get(self, key: str) -> t.Any: ...

    def set(self, key: str, value: t.Any, timeout: int | None = None) -> bool | None: ...

    def delete(self, key: str) -> bool: ...


class SharedStore(t.Protocol):
    """Short-lived JSON values seen by every worker and process.

    OIDC login state and launch data live here (``take`` hands a value to exactly one
    caller), as do the AGS token cache with its single-flight locks (``add`` is
    put-if-absent) and the last score timestamp sent per line item and user.
    """

    def put(self, key: str, value: t.Any, ttl_seconds: int) -> None: ...

    def get(self, key: str) -> t.Any: ...

    def take(self, key: str) -> t.Any:
        """Return the value to exactly one caller and remove it; None to everyone else."""

    def add(self, key: str, value: t.Any, ttl_seconds: int) -> bool:
        """Store ``value`` only if ``key`` holds no live value; True when this call stored it."""
