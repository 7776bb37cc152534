"""A throw-away LTI tool used to exercise the sandbox LMS over real HTTP.

It publishes a JWKS, does a bare-bones OIDC login (state cookie, nonce, redirect to the
platform), verifies the id_token it receives against the platform's JWKS, and signs client
assertions and deep-linking responses.
"""

from __future__ import annotations

import secrets
import time
import typing as t
import urllib.parse

import jwt
import requests
from flask import Flask
from flask import jsonify
from flask import redirect
from flask import request

from plugin.sandbox.lms.vocab import CLIENT_ASSERTION_TYPE
from plugin.sandbox.server import serve_app

if t.TYPE_CHECKING:
    from flask.typing import ResponseReturnValue

    from plugin.sandbox.lms.keys import SigningKey

SCOPE_ALL = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem "
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly "
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly "
    "https://purl.imsglobal.org/spec/lti-ags/scope/score "
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
)


class ToolDouble:
    """A minimal tool served on a free loopback port."""

    def __init__(self, key: SigningKey) -> None:
        self.keys: list[SigningKey] = [key]
        self.client_id = ""
        self.jwks_fetches = 0
        self._nonces: dict[str, str] = {}
        self.app = self._build_app()
        self.served = serve_app(self.app)
        self.url = self.served.url

    @property
    def key(self) -> SigningKey:
        return self.keys[-1]

    def _build_app(self) -> Flask:
        app = Flask(__name__)
        app.add_url_rule("/jwks", "jwks", self._jwks)
        app.add_url_rule("/login", "login", self._login, methods=["GET", "POST"])
        app.add_url_rule("/launch", "launch", self._launch, methods=["POST"])
        return app

    def _jwks(self) -> ResponseReturnValue:
        self.jwks_fetches += 1
        return jsonify(keys=[key.public_jwk for key in self.keys])

    def _login(self) -> ResponseReturnValue:
        params = request.values
        state, nonce = secrets.token_urlsafe(8), secrets.token_urlsafe(8)
        self._nonces[state] = nonce
        query = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": params["client_id"],
            "redirect_uri": self.url + "/launch",
            "login_hint": params["login_hint"],
            "lti_message_hint": params["lti_message_hint"],
            "nonce": nonce,
            "state": state,
        }
        response = redirect(params["iss"] + "/auth?" + urllib.parse.urlencode(query))
        response.set_cookie("tool_state", state)
        return response

    def _launch(self) -> ResponseReturnValue:
        state = request.form.get("state", "")
        if state != request.cookies.get("tool_state"):
            return jsonify(error="state mismatch"), 400
        token = request.form["id_token"]
        issuer = jwt.decode(token, options={"verify_signature": False})["iss"]
        jwks = requests.get(issuer + "/jwks", timeout=5).json()
        kid = jwt.get_unverified_header(token)["kid"]
        key = next(jwt.PyJWK(k).key for k in jwks["keys"] if k["kid"] == kid)
        try:
            claims = jwt.decode(token, key, algorithms=["RS256"], audience=self.client_id)
        except jwt.PyJWTError as exc:
            return jsonify(error=str(exc)), 401
        if claims["nonce"] != self._nonces.pop(state, None):
            return jsonify(error="nonce mismatch"), 400
        return jsonify(claims=claims)

    def manual_registration(self, **overrides: t.Any) -> dict[str, t.Any]:
        """Fields for ``POST /sandbox/tools``."""
        return {
            "name": "Tool double",
            "initiate_login_uri": self.url + "/login",
            "redirect_uris": [self.url + "/launch"],
            "jwks_uri": self.url + "/jwks",
            "target_link_uri": self.url + "/launch",
            "deep_link_uri": self.url + "/launch?deep=1",
            **overrides,
        }

    def client_metadata(self, **overrides: t.Any) -> dict[str, t.Any]:
        """A Dynamic Registration request body."""
        return {
            "application_type": "web",
            "response_types": ["id_token"],
            "grant_types": ["implicit", "client_credentials"],
            "initiate_login_uri": self.url + "/login",
            "redirect_uris": [self.url + "/launch"],
            "client_name": "Tool double",
            "jwks_uri": self.url + "/jwks",
            "token_endpoint_auth_method": "private_key_jwt",
            "scope": SCOPE_ALL,
            "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                "domain": "127.0.0.1",
                "target_link_uri": self.url + "/launch",
                "claims": ["iss", "sub", "name"],
                "messages": [
                    {"type": "LtiDeepLinkingRequest", "target_link_uri": self.url + "/deep"}
                ],
            },
            **overrides,
        }

    def sign(
        self,
        claims: dict[str, t.Any],
        *,
        key: SigningKey | None = None,
        headers: dict[str, t.Any] | None = None,
    ) -> str:
        """Sign ``claims`` RS256 with the newest tool key (or ``key``)."""
        signer = key or self.key
        return jwt.encode(
            claims,
            signer.private_key,
            algorithm="RS256",
            headers={"kid": signer.kid, **(headers or {})},
        )

    def assertion_claims(self, audience: str, **overrides: t.Any) -> dict[str, t.Any]:
        """Claims of a valid client assertion for ``audience``."""
        now = int(time.time())
        return {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": audience,
            "iat": now,
            "exp": now + 300,
            "jti": secrets.token_hex(8),
            **overrides,
        }

    def request_token(
        self, lms_url: str, *, scope: str = SCOPE_ALL, assertion: str | None = None
    ) -> requests.Response:
        """POST a client-credentials request to the platform's token endpoint."""
        signed = assertion or self.sign(self.assertion_claims(lms_url + "/token"))
        return requests.post(
            lms_url + "/token",
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": CLIENT_ASSERTION_TYPE,
                "client_assertion": signed,
                "scope": scope,
            },
            timeout=10,
        )

    def access_token(self, lms_url: str, scope: str = SCOPE_ALL) -> str:
        """Return a bearer token for ``scope``."""
        response = self.request_token(lms_url, scope=scope)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])


def authorization_request(
    login_initiation: dict[str, t.Any], tool_redirect_uri: str, **overrides: str
) -> dict[str, str]:
    """The OIDC authentication request a tool sends for ``login_initiation``."""
    params = login_initiation["params"]
    request_params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": params["client_id"],
        "redirect_uri": tool_redirect_uri,
        "login_hint": params["login_hint"],
        "lti_message_hint": params["lti_message_hint"],
        "nonce": "nonce-" + secrets.token_hex(4),
        "state": "state-" + secrets.token_hex(4),
    }
    request_params.update(overrides)
    return {k: v for k, v in request_params.items() if v is not None}
