"""LTI Dynamic Registration (1EdTech, v1.0): the tool's side.

The platform opens the one-time registration URL an admin minted
(``/lti/register/<token>?openid_configuration=...&registration_token=...``); the tool
fetches the platform's configuration, checks it, posts its client registration and keeps
what the platform answers.

The URLs come from whoever opened the registration URL, so the fetches are kept
narrow: no redirect is followed, answers are read up to :data:`MAX_RESPONSE_BYTES`,
and every endpoint must be on the issuer's origin or on one the admin allowed.  A
:class:`~lti.errors.RegistrationError` says in detail what failed; it is meant for the
log, never for the browser (the page would tell whoever opened the URL which hosts
and ports answer, and what they say).
"""

from __future__ import annotations

import dataclasses
import json
import time
import typing as t
from urllib.parse import urlsplit

import requests

from lti import claims
from lti.errors import RegistrationError
from lti.http import ResponseTooLargeError
from lti.http import read_capped
from lti.origins import off_site
from lti.origins import url_origin
from lti.tool_description import TOOL_CONFIGURATION
from lti.tool_description import ToolUrls
from lti.tool_description import registration_request

PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
#: The endpoints a platform declares, all of which must be on its own site.
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
REQUIRED_METADATA = ("issuer", *ENDPOINTS)
#: The largest answer read from a platform (its configuration or registration answer).
MAX_RESPONSE_BYTES = 256 * 1024
#: How long reading one answer may take in all (the session's timeouts are per read).
MAX_READ_SECONDS = 30.0
_EXCERPT = 200


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
    allowed_origins: t.Sequence[str] = (),
) -> RegisteredPlatform:
    """Run the registration exchange.

    :param allowed_origins: origins besides the issuer's the platform's configuration and
        endpoints may be on.
    :raises RegistrationError: with the detailed reason, for the log.
    """
    if urlsplit(openid_configuration_url).scheme not in {"http", "https"}:
        raise RegistrationError(
            f"The openid configuration URL {openid_configuration_url!r} is not an http(s) URL."
        )
    headers = {"Accept": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    metadata = _call(
        session, "GET", openid_configuration_url, what="openid configuration", headers=headers
    )
    _check_metadata(openid_configuration_url, metadata, allowed_origins)
    body = registration_request(urls, _scopes(metadata))
    answer = _call(
        session,
        "POST",
        metadata["registration_endpoint"],
        what="registration endpoint",
        headers=headers,
        body=body,
    )
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


def _call(
    session: requests.Session,
    method: str,
    url: str,
    *,
    what: str,
    headers: dict[str, str],
    body: dict[str, t.Any] | None = None,
) -> dict[str, t.Any]:
    """One request to the platform, its answer read within bounds and parsed as an object."""
    try:
        response = session.request(
            method, url, headers=headers, json=body, allow_redirects=False, stream=True
        )
    except requests.RequestException as exc:
        raise RegistrationError(
            f"The {what} at {url} could not be reached ({type(exc).__name__}: {exc})."
        ) from exc
    with response:
        status = response.status_code
        if 300 <= status < 400:
            location = response.headers.get("Location", "")
            raise RegistrationError(
                f"The {what} at {url} answered HTTP {status} (to {location[:_EXCERPT]!r});"
                " redirects are not followed."
            )
        content = _read(response, url, what)
    if status not in (200, 201):
        raise RegistrationError(
            f"The {what} at {url} answered HTTP {status}: {_excerpt(content)!r}"
        )
    try:
        data = json.loads(content)
    except ValueError as exc:
        raise RegistrationError(
            f"The {what} at {url} did not answer JSON: {_excerpt(content)!r}"
        ) from exc
    if not isinstance(data, dict):
        raise RegistrationError(f"The {what} at {url} did not answer a JSON object.")
    return data


def _read(response: requests.Response, url: str, what: str) -> bytes:
    deadline = time.monotonic() + MAX_READ_SECONDS
    try:
        return read_capped(response, MAX_RESPONSE_BYTES, deadline=deadline)
    except ResponseTooLargeError as exc:
        raise RegistrationError(
            f"The answer of the {what} at {url} is larger than {MAX_RESPONSE_BYTES} bytes."
        ) from exc
    except requests.Timeout as exc:
        raise RegistrationError(
            f"The answer of the {what} at {url} took more than {MAX_READ_SECONDS:.0f} s to read."
        ) from exc
    except requests.RequestException as exc:
        raise RegistrationError(
            f"The answer of the {what} at {url} could not be read ({type(exc).__name__})."
        ) from exc


def _excerpt(content: bytes) -> str:
    return content[:_EXCERPT].decode("utf-8", "replace")


def _check_metadata(
    configuration_url: str, metadata: dict[str, t.Any], allowed_origins: t.Sequence[str]
) -> None:
    missing = [name for name in REQUIRED_METADATA if not isinstance(metadata.get(name), str)]
    if missing:
        raise RegistrationError(
            "The platform's openid configuration lacks " + ", ".join(missing) + "."
        )
    issuer = metadata["issuer"]
    if url_origin(issuer) is None:
        raise RegistrationError(f"The platform's issuer {issuer!r} is not an http(s) URL.")
    declared = {"openid configuration URL": configuration_url}
    declared.update({name: metadata[name] for name in ENDPOINTS})
    foreign = off_site(declared, issuer, allowed_origins)
    if foreign:
        named = ", ".join(f"{name} {declared[name]!r}" for name in foreign)
        raise RegistrationError(
            f"Not on the issuer's origin ({url_origin(issuer)}) nor on an allowed origin"
            f" ({' '.join(allowed_origins) or 'none'}): {named}; refusing to register."
        )
    algorithms = metadata.get("id_token_signing_alg_values_supported")
    if isinstance(algorithms, list) and "RS256" not in algorithms:
        raise RegistrationError("The platform does not sign id_tokens with RS256.")


def _scopes(metadata: dict[str, t.Any]) -> list[str]:
    supported = metadata.get("scopes_supported")
    if not isinstance(supported, list):
        return list(claims.TOOL_SCOPES)
    return [scope for scope in claims.TOOL_SCOPES if scope in supported]
