"""OIDC third-party-initiated login: check the platform's request, issue state and nonce,
and build the redirect to the platform's authorization endpoint.
"""

from __future__ import annotations

import dataclasses
import typing as t
from urllib.parse import urlencode
from urllib.parse import urlsplit

from lti.errors import LtiLaunchError
from lti.origins import on_site
from lti.origins import url_origin

if t.TYPE_CHECKING:
    from lti.interfaces import PlatformRecord
    from lti.state import LaunchStateStore
    from lti.store_tool_conf import StoreToolConf

# The login parameters the tool reads (and keeps with the state).  They are never
# replayed: a platform may accept an ``lti_message_hint`` only once (Moodle does), so
# a blocked-cookie launch sends the learner back to the platform instead
# (:class:`lti.errors.CookiesBlockedError`).  Canvas sends ``deployment_id`` instead of
# the spec's ``lti_deployment_id``; both are accepted and kept under the spec name.
LOGIN_PARAMS = (
    "iss",
    "login_hint",
    "target_link_uri",
    "lti_message_hint",
    "client_id",
    "lti_deployment_id",
)


@dataclasses.dataclass(frozen=True)
class LoginRedirect:
    """Where to send the browser and which state cookie to set first."""

    url: str
    state: str


def normalise_login_params(params: t.Mapping[str, str]) -> dict[str, str]:
    """Pick the login parameters, folding Canvas's ``deployment_id`` into ``lti_deployment_id``."""
    picked = {name: params[name] for name in LOGIN_PARAMS if params.get(name)}
    if "lti_deployment_id" not in picked and params.get("deployment_id"):
        picked["lti_deployment_id"] = params["deployment_id"]
    return picked


def begin_login(
    params: t.Mapping[str, str],
    *,
    tool_conf: StoreToolConf,
    states: LaunchStateStore,
    launch_url: str,
) -> LoginRedirect:
    """Validate a login initiation request and prepare the authorization redirect.

    :raises LtiLaunchError: naming the missing or unknown parameter.
    """
    login = normalise_login_params(params)
    for required in ("iss", "login_hint", "target_link_uri"):
        if required not in login:
            raise LtiLaunchError(
                "bad_login_request",
                f"The login request lacks the {required!r} parameter.",
                admin_hint="The platform must send iss, login_hint and target_link_uri.",
            )
    _check_target(login["target_link_uri"], launch_url)
    platform = tool_conf.find_platform(login["iss"], login.get("client_id"))
    if platform is None:
        raise _unknown_platform(login["iss"], login.get("client_id"))
    _check_login_url(platform)
    state = states.begin(issuer=platform.issuer, client_id=platform.client_id)
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": launch_url,
        "state": state.state,
        "nonce": state.nonce,
        "login_hint": login["login_hint"],
    }
    if "lti_message_hint" in login:
        query["lti_message_hint"] = login["lti_message_hint"]
    separator = "&" if urlsplit(platform.auth_login_url).query else "?"
    return LoginRedirect(
        url=platform.auth_login_url + separator + urlencode(query), state=state.state
    )


def _check_target(target_link_uri: str, launch_url: str) -> None:
    target, ours = urlsplit(target_link_uri), urlsplit(launch_url)
    if (target.scheme, target.netloc) != (ours.scheme, ours.netloc):
        raise LtiLaunchError(
            "foreign_target",
            "The login request's target_link_uri points at another site.",
            admin_hint=f"Configure the platform's target link URI on {ours.scheme}://{ours.netloc}.",
        )


def _check_login_url(platform: PlatformRecord) -> None:
    """Refuse to send the browser off the platform's own site: a registration whose login
    URL points elsewhere would make the tool an open redirect (to a phishing page, say)."""
    if on_site(platform.auth_login_url, platform.issuer, platform.allowed_origins):
        return
    origin = url_origin(platform.auth_login_url) or platform.auth_login_url
    client = f" --client-id {platform.client_id}"
    raise LtiLaunchError(
        "foreign_login_url",
        "This platform's login URL is not on its own site, so the tool does not send your"
        " browser there.",
        admin_hint=(
            f"The login URL {platform.auth_login_url} is not on the issuer's origin"
            f" ({platform.issuer}). If this LMS really signs in on {origin}, an admin must"
            f" allow its origin: `assessment-bridge platform update --issuer {platform.issuer}"
            f"{client} --allow-origin {origin}`."
        ),
    )


def _unknown_platform(issuer: str, client_id: str | None) -> LtiLaunchError:
    if client_id:
        return LtiLaunchError(
            "unknown_platform",
            f"No registration for issuer {issuer!r} with client id {client_id!r}.",
            admin_hint=(
                "Register it with `assessment-bridge platform add --issuer ... --client-id ...`"
                " or through dynamic registration."
            ),
            status=403,
        )
    return LtiLaunchError(
        "unknown_platform",
        f"Issuer {issuer!r} is not registered, or has several client ids and the platform"
        " did not send client_id.",
        admin_hint=(
            "Register it with `assessment-bridge platform add` or through dynamic registration;"
            " when the issuer has several client ids, the platform must send client_id."
        ),
        status=403,
    )
