"""OpenID discovery document and the platform JWKS.

The configuration follows LTI Dynamic Registration 1.0, section 3.3
(https://www.imsglobal.org/spec/lti-dr/v1p0#platform-configuration).
"""

from __future__ import annotations

import typing as t

from flask import Blueprint
from flask import jsonify

from plugin.sandbox.lms import vocab
from plugin.sandbox.lms.context import base_url
from plugin.sandbox.lms.context import current_lms

if t.TYPE_CHECKING:
    from flask import Response

bp = Blueprint("lms_discovery", __name__)

CLAIMS_SUPPORTED = (
    "iss",
    "aud",
    "azp",
    "sub",
    "exp",
    "iat",
    "nonce",
    "name",
    "given_name",
    "family_name",
    "email",
)


def openid_configuration(issuer: str, product_family_code: str) -> dict[str, t.Any]:
    """Return the platform's OpenID configuration for ``issuer`` (its base URL)."""
    return {
        "issuer": issuer,
        "authorization_endpoint": issuer + "/auth",
        "token_endpoint": issuer + "/token",
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "jwks_uri": issuer + "/jwks",
        "registration_endpoint": issuer + "/register",
        "scopes_supported": ["openid", *vocab.SERVICE_SCOPES],
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": list(CLAIMS_SUPPORTED),
        vocab.PLATFORM_CONFIGURATION: {
            "product_family_code": product_family_code,
            "version": vocab.PLATFORM_VERSION,
            "messages_supported": [{"type": m} for m in vocab.LAUNCH_MESSAGE_TYPES],
            "variables": [],
        },
    }


@bp.get("/.well-known/openid-configuration")
def configuration() -> Response:
    """Publish the discovery document."""
    return jsonify(openid_configuration(base_url(), current_lms().profile.product_family_code))


@bp.get("/jwks")
def jwks() -> Response:
    """Publish every platform key that has not been retired."""
    response = jsonify(current_lms().keys.jwks())
    response.headers["Cache-Control"] = "no-cache"
    return response
