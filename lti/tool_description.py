"""The tool's own description: URLs, scopes, claims and messages.

Used for the dynamic registration request and for the static configuration an
admin copies into a platform when registering by hand.  Only resource-link
launches are offered: deep linking is not advertised until the tool has a
content picker (a deep-linking request that arrives anyway is answered with no
content, see :meth:`lti.launch.BridgeMessageLaunch.decline_deep_link`).
"""

from __future__ import annotations

import dataclasses
import typing as t
from urllib.parse import urlsplit

from lti import claims

TOOL_NAME = "Assessment Bridge"
TOOL_DESCRIPTION = (
    "Sends learners into vendor assessments and syncs their results to the gradebook."
)
REQUESTED_CLAIMS = ("iss", "sub", "name", "given_name", "family_name", "email")
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"


@dataclasses.dataclass(frozen=True)
class ToolUrls:
    """Every URL a platform needs, derived from the public base URL."""

    base_url: str

    def _url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    @property
    def login(self) -> str:
        return self._url("/lti/login")

    @property
    def launch(self) -> str:
        return self._url("/lti/launch")

    @property
    def jwks(self) -> str:
        return self._url("/lti/jwks")

    def registration(self, token: str) -> str:
        """The one-time dynamic registration URL of an admin's invite (its ``token``)."""
        return self._url(f"/lti/register/{token}")

    @property
    def domain(self) -> str:
        return urlsplit(self.base_url).netloc

    @property
    def client_name(self) -> str:
        """``Assessment Bridge (bridge.example.edu)``: two installations, or two
        registrations of different hosts, are told apart in the platform's tool list."""
        return f"{TOOL_NAME} ({self.domain})"


def static_configuration(urls: ToolUrls) -> dict[str, t.Any]:
    """What an admin needs to register the tool by hand."""
    return {
        "title": TOOL_NAME,
        "description": TOOL_DESCRIPTION,
        "oidc_initiation_url": urls.login,
        "target_link_uri": urls.launch,
        "redirect_uris": [urls.launch],
        "public_jwk_url": urls.jwks,
        "domain": urls.domain,
        "scopes": list(claims.TOOL_SCOPES),
        "claims": list(REQUESTED_CLAIMS),
        "messages": [RESOURCE_LINK_REQUEST],
        "token_endpoint_auth_method": "private_key_jwt",
        "signing_algorithm": "RS256",
    }


def registration_request(urls: ToolUrls, scopes: t.Sequence[str]) -> dict[str, t.Any]:
    """The client registration a tool posts in LTI Dynamic Registration (section 3.5)."""
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": urls.login,
        "redirect_uris": [urls.launch],
        "client_name": urls.client_name,
        "jwks_uri": urls.jwks,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(scopes),
        TOOL_CONFIGURATION: {
            "domain": urls.domain,
            "description": TOOL_DESCRIPTION,
            "target_link_uri": urls.launch,
            "claims": list(REQUESTED_CLAIMS),
            "messages": [{"type": RESOURCE_LINK_REQUEST, "target_link_uri": urls.launch}],
        },
    }
