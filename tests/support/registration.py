"""Registering the tool on the sandbox LMS: by hand, both sides at once (as an admin would
type the tool's URLs into the LMS and the LMS's into ``platform add``), or dynamically
through a registration URL an admin minted (``platform registration-url``)."""

from __future__ import annotations

import typing as t

from plugin.registrations.platforms import NewPlatform

if t.TYPE_CHECKING:
    from plugin.registrations.invites import RegistrationInvites
    from plugin.registrations.platforms import PlatformInfo
    from plugin.registrations.platforms import PlatformService
    from plugin.sandbox.lms.client import SandboxLms


def register_by_hand(
    lms: SandboxLms, platforms: PlatformService, tool_url: str, *, name: str = "Assessment Bridge"
) -> tuple[PlatformInfo, str]:
    """Register the tool at ``tool_url`` on ``lms`` and the LMS in the tool's store.

    :return: the stored registration and its deployment id.
    """
    answer = lms.register_tool(
        name=name,
        initiate_login_uri=f"{tool_url}/lti/login",
        redirect_uris=[f"{tool_url}/lti/launch"],
        jwks_uri=f"{tool_url}/lti/jwks",
        target_link_uri=f"{tool_url}/lti/launch",
    )
    info = platforms.add(
        NewPlatform(
            issuer=answer["issuer"],
            client_id=answer["client_id"],
            auth_login_url=answer["auth_login_url"],
            auth_token_url=answer["auth_token_url"],
            key_set_url=answer["key_set_url"],
            auth_audience=answer.get("auth_audience"),
            name=name,
            deployment_ids=(answer["deployment_id"],),
        )
    )
    return info, str(answer["deployment_id"])


def dynamic_registration_url(lms: SandboxLms, invites: RegistrationInvites) -> str:
    """The URL ``lms`` opens to register the tool dynamically: a freshly minted invite's,
    with the LMS's ``openid_configuration`` and ``registration_token``."""
    invite = invites.mint(label="sandbox LMS")
    url: str = lms.registration_token(tool_registration_url=invite.url)["initiation_url"]
    return url
