"""LTI Dynamic Registration (1EdTech, v1.0): the tool's side.

The platform opens ``/lti/register?openid_configuration=...&registration_token=...``;
the tool fetches the platform's configuration, checks it, posts its client
registration and keeps what the platform answers.
"""

from __future__ import annotations

import dataclasses
import logging
import typing as t
from urllib.parse import urlsplit

import requests

from lti import claims
from lti.errors import RegistrationError
from lti.http import error_description
from lti.tool_description import TOOL_CONFIGURATION
from lti.tool_description import ToolUrls
from lti.tool_description import registration_request

log = logging.getLogger(__name__)

PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
REQUIRED_METADATA = (
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "registration_endpoint",
)


@dataclasses.dataclass(frozen=True)
class RegisteredPlatform:
    """What dynamic registration learned, ready to be stored."""

    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    auth_audience: str | None
    deployment_id: str | None
    platform_name: str


def register_with_platform(
    openid_configuration_url: str,
    registration_token: str | None,
    *,
    urls: ToolUrls,
    session: requests.Session,
) -> RegisteredPlatform:
    """Run the registration exchange.

    :raises RegistrationError: with a message an admin can act on.
    """
    headers = {"Accept": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    metadata = _get_json(session, openid_configuration_url, headers, "openid configuration")
    _check_metadata(openid_configuration_url, metadata)
    scopes = _scopes(metadata)
    body = registration_request(urls, scopes)
    answer = _post_registration(session, metadata["registration_endpoint"], body, headers)
    client_id = answer.get("client_id")
    if not isinstance(client_id, str) or not client_id:
        raise RegistrationError("The platform's registration answer carries no client_id.")
    tool_configuration = answer.get(TOOL_CONFIGURATION) or {}
    deployment_id = tool_configuration.get("deployment_id")
    platform_configuration = metadata.get(PLATFORM_CONFIGURATION) or {}
    return RegisteredPlatform(
        issuer=metadata["issuer"],
        client_id=client_id,
        auth_login_url=metadata["authorization_endpoint"],
        auth_token_url=metadata["token_endpoint"],
        key_set_url=metadata["jwks_uri"],
        auth_audience=metadata.get("authorization_server"),
        deployment_id=str(deployment_id) if deployment_id else None,
        platform_name=str(platform_configuration.get("product_family_code", "")),
    )


def _get_json(
    session: requests.Session, url: str, headers: dict[str, str], what: str
) -> dict[str, t.Any]:
    if urlsplit(url).scheme not in {"http", "https"}:
        raise RegistrationError(f"The {what} URL {url!r} is not an http(s) URL.")
    try:
        response = session.get(url, headers=headers)
    except requests.RequestException as exc:
        raise RegistrationError(
            f"The {what} at {url} could not be fetched ({type(exc).__name__})."
        ) from exc
    if response.status_code != 200:
        raise RegistrationError(f"The {what} at {url} answered HTTP {response.status_code}.")
    try:
        data = response.json()
    except ValueError as exc:
        raise RegistrationError(f"The {what} at {url} is not JSON.") from exc
    if not isinstance(data, dict):
        raise RegistrationError(f"The {what} at {url} is not a JSON object.")
    return data


def _check_metadata(configuration_url: str, metadata: dict[str, t.Any]) -> None:
    missing = [name for name in REQUIRED_METADATA if not isinstance(metadata.get(name), str)]
    if missing:
        raise RegistrationError(
            "The platform's openid configuration lacks " + ", ".join(missing) + "."
        )
    issuer, config = urlsplit(metadata["issuer"]), urlsplit(configuration_url)
    if (issuer.scheme, issuer.netloc) != (config.scheme, config.netloc):
        raise RegistrationError(
            "The openid configuration was not served from the issuer's own site"
            f" ({metadata['issuer']}); refusing to register."
        )
    algorithms = metadata.get("id_token_signing_alg_values_supported")
    if isinstance(algorithms, list) and "RS256" not in algorithms:
        raise RegistrationError("The platform does not sign id_tokens with RS256.")


def _scopes(metadata: dict[str, t.Any]) -> list[str]:
    supported = metadata.get("scopes_supported")
    if not isinstance(supported, list):
        return list(claims.TOOL_SCOPES)
    return [scope for scope in claims.TOOL_SCOPES if scope in supported]


def _post_registration(
    session: requests.Session, endpoint: str, body: dict[str, t.Any], headers: dict[str, str]
) -> dict[str, t.Any]:
    try:
        response = session.post(endpoint, json=body, headers=headers)
    except requests.RequestException as exc:
        raise RegistrationError(
            f"The registration endpoint {endpoint} could not be reached ({type(exc).__name__})."
        ) from exc
    if response.status_code not in (200, 201):
        raise RegistrationError(
            f"The platform refused the registration (HTTP {response.status_code}):"
            f" {error_description(response)}"
        )
    try:
        answer = response.json()
    except ValueError as exc:
        raise RegistrationError("The platform's registration answer is not JSON.") from exc
    if not isinstance(answer, dict):
        raise RegistrationError("The platform's registration answer is not a JSON object.")
    return answer
