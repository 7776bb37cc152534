"""The LTI tool as the web layer sees it: one object per app holding the pieces of
``lti/`` wired to our store, cache and keys.
"""

from __future__ import annotations

import dataclasses
import typing as t

from pylti1p3.contrib.flask import FlaskRequest
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from config import Settings
from lti.dynamic_registration import RegisteredPlatform
from lti.dynamic_registration import register_with_platform
from lti.http import TimeoutSession
from lti.jwks import PlatformKeySets
from lti.launch import BridgeMessageLaunch
from lti.launch import DeepLinkAnswer
from lti.launch import LaunchPolicy
from lti.launch_data import EphemeralLaunchDataStorage
from lti.login import LoginRedirect
from lti.login import begin_login
from lti.sealed_store import SealedStore
from lti.state import LaunchStateStore
from lti.store_tool_conf import StoreToolConf
from lti.tool_description import ToolUrls
from plugin.registrations.launches import LaunchRecorder
from plugin.registrations.launches import LaunchSummary
from plugin.registrations.platforms import Claim
from plugin.registrations.platforms import NewPlatform
from plugin.registrations.platforms import PlatformInfo
from plugin.registrations.platforms import PlatformService
from plugin.registrations.tool_keys import ToolKeyService
from plugin.runtime.cache import cache
from plugin.runtime.crypto import SecretBox
from plugin.runtime.crypto import SecretError
from plugin.runtime.shared_store import ExpiringStore

DEEP_LINK_DECLINED = (
    "Assessment Bridge cannot place content from here yet. Add it as an external tool"
    " activity instead, with the custom parameter assessment=<id>."
)


@dataclasses.dataclass
class LtiTool:
    settings: Settings
    platforms: PlatformService
    keys: ToolKeyService
    recorder: LaunchRecorder
    tool_conf: StoreToolConf
    states: LaunchStateStore
    key_sets: PlatformKeySets
    urls: ToolUrls
    http: TimeoutSession
    shared_store: ExpiringStore

    def login(self, params: t.Mapping[str, str]) -> LoginRedirect:
        return begin_login(
            params, tool_conf=self.tool_conf, states=self.states, launch_url=self.urls.launch
        )

    def launch(self) -> LaunchSummary | DeepLinkAnswer:
        """Validate the launch in the current Flask request and record it; a deep-linking
        request is answered with no content instead (the tool has no picker yet).

        :raises lti.errors.LtiLaunchError: for every refusal.
        """
        message = BridgeMessageLaunch(
            FlaskRequest(),
            self.tool_conf,
            store=self.platforms,
            states=self.states,
            key_sets=self.key_sets,
            policy=LaunchPolicy(leeway_seconds=self.settings.clock_skew_seconds),
            launch_data_storage=EphemeralLaunchDataStorage(self.shared_store),
        ).validate()
        if message.is_deep_link_launch():
            return message.decline_deep_link(DEEP_LINK_DECLINED)
        return self.recorder.record(
            message.platform, message.get_launch_id(), message.get_launch_data()
        )

    def register(
        self,
        openid_configuration: str,
        registration_token: str | None,
        *,
        allowed_origins: tuple[str, ...],
        claim: Claim,
    ) -> PlatformInfo:
        """Run dynamic registration and store the platform with its deployment; only
        through an admin's invite (:meth:`RegistrationInvites.consume
        <plugin.registrations.invites.RegistrationInvites.consume>`), whose ``claim`` runs
        in the transaction that stores the platform.

        :raises lti.errors.RegistrationError: with the reason, for the log.
        :raises plugin.registrations.platforms.PlatformError: e.g. the client id the
            platform answered is registered already.
        """
        registered: RegisteredPlatform = register_with_platform(
            openid_configuration,
            registration_token,
            urls=self.urls,
            session=self.http,
            allowed_origins=allowed_origins,
        )
        return self.platforms.add(
            NewPlatform(
                issuer=registered.issuer,
                client_id=registered.client_id,
                auth_login_url=registered.auth_login_url,
                auth_token_url=registered.auth_token_url,
                key_set_url=registered.key_set_url,
                auth_audience=registered.auth_audience,
                name=registered.platform_name,
                deployment_ids=(registered.deployment_id,) if registered.deployment_id else (),
                registered_via="dynamic",
                allowed_origins=allowed_origins,
            ),
            claim=claim,
        )


def build_tool(
    settings: Settings,
    *,
    platforms: PlatformService,
    keys: ToolKeyService,
    sessions: sessionmaker[Session],
    shared_store: ExpiringStore,
    secrets: SecretBox,
) -> LtiTool:
    """The tool; login state and launch data are sealed with ``secrets`` in ``shared_store``
    (:mod:`lti.sealed_store`)."""
    http = TimeoutSession(
        connect_timeout=settings.http_connect_timeout, read_timeout=settings.http_read_timeout
    )
    sealed = SealedStore(shared_store, secrets, unreadable=SecretError)
    return LtiTool(
        settings=settings,
        platforms=platforms,
        keys=keys,
        recorder=LaunchRecorder(sessions),
        tool_conf=StoreToolConf(platforms, keys),
        states=LaunchStateStore(sealed, ttl_seconds=settings.launch_state_ttl_seconds),
        key_sets=PlatformKeySets(cache, http, ttl_seconds=settings.jwks_cache_seconds),
        urls=ToolUrls(settings.base_url),
        http=http,
        shared_store=sealed,
    )
