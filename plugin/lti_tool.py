"""The LTI tool as the web layer sees it: one object per app holding the pieces of
``lti/`` wired to our store, cache and keys.
"""

from __future__ import annotations

import dataclasses
import typing as t

from flask import Flask
from flask import current_app
from pylti1p3.contrib.flask import FlaskRequest

from config import Settings
from lti.dynamic_registration import RegisteredPlatform
from lti.dynamic_registration import register_with_platform
from lti.http import TimeoutSession
from lti.jwks import PlatformKeySets
from lti.launch import BridgeMessageLaunch
from lti.launch import LaunchPolicy
from lti.launch_data import EphemeralLaunchDataStorage
from lti.login import LoginRedirect
from lti.login import begin_login
from lti.state import LaunchStateStore
from lti.tool_conf import StoreToolConf
from lti.tool_configuration import ToolUrls
from plugin.cache import cache
from plugin.ephemeral import EphemeralStore
from plugin.ephemeral import store_for
from plugin.launches import LaunchRecorder
from plugin.launches import LaunchSummary
from plugin.platforms import NewPlatform
from plugin.platforms import PlatformInfo
from plugin.platforms import PlatformService
from plugin.tool_keys import ToolKeyService

EXTENSION_KEY = "bridge.lti"


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
    ephemeral: EphemeralStore

    def login(self, params: t.Mapping[str, str]) -> LoginRedirect:
        return begin_login(
            params, tool_conf=self.tool_conf, states=self.states, launch_url=self.urls.launch
        )

    def launch(self) -> LaunchSummary:
        """Validate the launch in the current Flask request and record it.

        :raises lti.errors.LtiLaunchError: for every refusal.
        """
        message = BridgeMessageLaunch(
            FlaskRequest(),
            self.tool_conf,
            store=self.platforms,
            states=self.states,
            key_sets=self.key_sets,
            policy=LaunchPolicy(leeway_seconds=self.settings.clock_skew_seconds),
            launch_data_storage=EphemeralLaunchDataStorage(self.ephemeral),
        ).validate()
        return self.recorder.record(
            message.platform, message.get_launch_id(), message.get_launch_data()
        )

    def register(self, openid_configuration: str, registration_token: str | None) -> PlatformInfo:
        """Run dynamic registration and store the platform with its deployment.

        :raises lti.errors.RegistrationError: with the reason.
        """
        registered: RegisteredPlatform = register_with_platform(
            openid_configuration, registration_token, urls=self.urls, session=self.http
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
            )
        )


def init_app(
    app: Flask, settings: Settings, platforms: PlatformService, keys: ToolKeyService
) -> None:
    from plugin.store.db import session_factory

    http = TimeoutSession(
        connect_timeout=settings.http_connect_timeout, read_timeout=settings.http_read_timeout
    )
    ephemeral = store_for(settings.cache_url, settings.data_dir)
    app.extensions[EXTENSION_KEY] = LtiTool(
        settings=settings,
        platforms=platforms,
        keys=keys,
        recorder=LaunchRecorder(session_factory(app)),
        tool_conf=StoreToolConf(platforms, keys),
        states=LaunchStateStore(ephemeral, ttl_seconds=settings.launch_state_ttl_seconds),
        key_sets=PlatformKeySets(cache, http, ttl_seconds=settings.jwks_cache_seconds),
        urls=ToolUrls(settings.base_url),
        http=http,
        ephemeral=ephemeral,
    )


def get_tool() -> LtiTool:
    tool: LtiTool = current_app.extensions[EXTENSION_KEY]
    return tool
