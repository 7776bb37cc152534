"""A pylti1p3 ``ToolConf`` that reads registrations and deployments from our store."""

from __future__ import annotations

import typing as t

from cryptography.hazmat.primitives import serialization
from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract

from lti.interfaces import DeploymentStatus
from lti.interfaces import KeySource
from lti.interfaces import PlatformRecord
from lti.interfaces import ToolStore


class StoreToolConf(ToolConfAbstract):  # type: ignore[misc]
    """Many issuers, many client ids per issuer, many deployments, all from the store.

    Every issuer is treated as possibly having several client ids (pylti1p3's
    "many clients" mode), so lookups always go by (issuer, client id).
    """

    def __init__(self, store: ToolStore, keys: KeySource) -> None:
        super().__init__()
        self._store = store
        self._keys = keys

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_platform(self, iss: str, client_id: str | None) -> PlatformRecord | None:
        """The registration for ``iss``/``client_id``; with no client id, the only one."""
        platforms = self._store.find_platforms(iss, client_id=client_id or None)
        if client_id:
            return next((p for p in platforms if p.client_id == client_id), None)
        return platforms[0] if len(platforms) == 1 else None

    def find_registration_by_issuer(
        self, iss: str, *args: t.Any, **kwargs: t.Any
    ) -> Registration | None:
        return self._registration(self.find_platform(iss, None))

    def find_registration_by_params(
        self, iss: str, client_id: str, *args: t.Any, **kwargs: t.Any
    ) -> Registration | None:
        return self._registration(self.find_platform(iss, client_id))

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return self.find_deployment_by_params(iss, deployment_id, "")

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: t.Any, **kwargs: t.Any
    ) -> Deployment | None:
        platform = self.find_platform(iss, client_id or None)
        if platform is None:
            return None
        status = self._store.deployment_status(platform, deployment_id)
        if status is not DeploymentStatus.ACTIVE:
            return None
        return Deployment().set_deployment_id(deployment_id)

    def get_jwks(
        self, iss: str | None = None, client_id: str | None = None, **kwargs: t.Any
    ) -> dict[str, list[dict[str, str]]]:
        return self._keys.public_jwks()

    def _registration(self, platform: PlatformRecord | None) -> Registration | None:
        return None if platform is None else self.registration_for(platform)

    def registration_for(self, platform: PlatformRecord) -> Registration:
        """A pylti1p3 registration whose tool keys are loaded only when a service needs them."""
        registration = StoreRegistration(self._keys)
        registration.set_issuer(platform.issuer).set_client_id(platform.client_id)
        registration.set_auth_login_url(platform.auth_login_url)
        registration.set_auth_token_url(platform.auth_token_url)
        registration.set_key_set_url(platform.key_set_url)
        if platform.auth_audience:
            registration.set_auth_audience(platform.auth_audience)
        return registration


class StoreRegistration(Registration):  # type: ignore[misc]
    """A registration that asks the key source for the signing key on first use.

    A launch never signs anything, so it should not pay for loading a key.
    """

    def __init__(self, keys: KeySource) -> None:
        super().__init__()
        self._keys = keys

    def get_tool_private_key(self) -> str:
        return self._keys.signing_key().private_pem

    def get_tool_public_key(self) -> str:
        public = self._keys.signing_key().private_key.public_key()
        pem = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return pem.decode()

    def get_kid(self) -> str:
        return self._keys.signing_key().kid
