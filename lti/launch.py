"""Launch validation: pylti1p3's chain with the known gaps closed.

pylti1p3 validates in a fluent chain (state, JWT format, nonce, registration,
signature, deployment, message, save).  We keep the chain and replace the
steps that are too lax:

* state: the login's server-side record must exist and the browser must send
  the state cookie back.  No cookie at all means cookies are blocked; that is
  refused only once the id_token's signature holds, so the page can offer the
  platform's own ``return_url`` to open the course in a new window (the login
  itself cannot be replayed: Moodle spends its ``lti_message_hint`` on first
  use);
* nonce: must be the one issued with that state; the state record (and the
  nonce with it) is taken atomically at the end, so a replayed id_token is
  refused in any browser;
* signature: RS256 only, kid required, ``aud``/``iss``/``exp``/``iat`` checked
  with a configurable leeway, ``azp`` checked, keys from a cached JWKS that is
  refetched once on an unknown kid;
* deployment: an unknown deployment of a known platform is recorded inactive
  and refused with instructions.

Every refusal is an :class:`~lti.errors.LtiLaunchError`; nothing is stored
before the whole chain has passed, except the refused deployment record.

A validated ``LtiDeepLinkingRequest`` is answered by :meth:`BridgeMessageLaunch.decline_deep_link`
until the tool has a content picker: a signed response with no content items, so the
platform closes its dialog instead of leaving the teacher stuck in it.
"""

from __future__ import annotations

import dataclasses
import typing as t
from urllib.parse import urlsplit

import jwt
from pylti1p3.contrib.flask import FlaskMessageLaunch
from pylti1p3.exception import LtiException

from lti import claims
from lti.errors import CookiesBlockedError
from lti.errors import LtiLaunchError
from lti.interfaces import DeploymentStatus
from lti.jwt_parts import MalformedTokenError
from lti.jwt_parts import unverified_parts
from lti.origins import on_site

if t.TYPE_CHECKING:
    from lti.interfaces import PlatformRecord
    from lti.interfaces import ToolStore
    from lti.jwks import PlatformKeySets
    from lti.state import LaunchStateStore
    from lti.state import LoginState
    from lti.store_tool_conf import StoreToolConf

ALLOWED_ALGORITHMS = ("RS256",)
REQUIRED_REGISTERED_CLAIMS = ("iss", "aud", "exp", "iat", "nonce")
LINK_SCHEMES = ("http", "https")
DEEP_LINKING_MSG = "https://purl.imsglobal.org/spec/lti-dl/claim/msg"
DEEP_LINKING_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"


@dataclasses.dataclass(frozen=True)
class LaunchPolicy:
    """The knobs of launch validation."""

    leeway_seconds: int = 30


@dataclasses.dataclass(frozen=True)
class DeepLinkAnswer:
    """A signed ``LtiDeepLinkingResponse`` (``jwt``) the browser posts to ``return_url``."""

    return_url: str
    jwt: str


class BridgeMessageLaunch(FlaskMessageLaunch):  # type: ignore[misc]
    """A strict message launch; see the module docstring for what changes."""

    def __init__(
        self,
        request: t.Any,
        tool_config: StoreToolConf,
        *,
        store: ToolStore,
        states: LaunchStateStore,
        key_sets: PlatformKeySets,
        policy: LaunchPolicy,
        launch_data_storage: t.Any,
    ) -> None:
        super().__init__(request, tool_config, launch_data_storage=launch_data_storage)
        self._store = store
        self._states = states
        self._key_sets = key_sets
        self._policy = policy
        self._login_state: LoginState | None = None
        self._platform: PlatformRecord | None = None
        self._cookie_missing = False

    @property
    def platform(self) -> PlatformRecord:
        assert self._platform is not None, "validate() first"
        return self._platform

    def validate(self) -> BridgeMessageLaunch:
        self._validated = True
        try:
            self._validate_chain()
        except LtiException as exc:
            self._validated = False
            raise LtiLaunchError(
                "invalid_message",
                f"The launch message is not valid: {exc}.",
                admin_hint="The platform sent an LTI message that lacks required claims.",
            ) from exc
        except Exception:
            self._validated = False
            raise
        return self

    def _validate_chain(self) -> None:
        """pylti1p3's chain, with the blocked-cookie refusal after the signature check."""
        self.validate_state().validate_jwt_format().validate_nonce()
        self.validate_registration().validate_jwt_signature()
        if self._cookie_missing:
            raise CookiesBlockedError(reopen_url(self._jwt["body"], self.platform))
        self.validate_deployment().validate_message().save_launch_data()

    def validate_state(self) -> BridgeMessageLaunch:
        state = self._get_request_param("state")
        if not state:
            raise LtiLaunchError("missing_state", "The launch carries no state parameter.")
        login_state = self._states.peek(state)
        if login_state is None:
            raise LtiLaunchError(
                "unknown_state",
                "This launch does not match a sign-in started here, or it took too long"
                " or was already used.",
                admin_hint="Start the activity again from the course page.",
                status=401,
            )
        cookie = self._cookie_service.get_cookie(state)
        # Refused in _validate_chain once the signature holds, to show a trusted link.
        self._cookie_missing = cookie is None
        if cookie is not None and cookie != state:
            raise LtiLaunchError(
                "state_mismatch", "The launch state does not match this browser.", status=401
            )
        self._login_state = login_state
        return self

    def validate_jwt_format(self) -> BridgeMessageLaunch:
        token = self._get_request_param("id_token")
        if not token:
            raise LtiLaunchError("missing_id_token", "The launch carries no id_token.")
        try:
            header, body = unverified_parts(token)
        except MalformedTokenError as exc:
            raise LtiLaunchError(
                "malformed_id_token", f"The id_token is not a valid JWT: {exc}."
            ) from exc
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            raise LtiLaunchError(
                "bad_algorithm",
                f"The id_token is signed with {header.get('alg')!r}; only RS256 is accepted.",
                status=401,
            )
        if not header.get("kid"):
            raise LtiLaunchError(
                "missing_kid", "The id_token header names no key (kid).", status=401
            )
        self._jwt = {"header": header, "body": body}
        return self

    def validate_nonce(self) -> BridgeMessageLaunch:
        nonce = self._jwt["body"].get("nonce")
        assert self._login_state is not None
        if not nonce or nonce != self._login_state.nonce:
            raise LtiLaunchError(
                "bad_nonce", "The id_token's nonce was not issued for this sign-in.", status=401
            )
        return self

    def validate_registration(self) -> BridgeMessageLaunch:
        body = self._jwt["body"]
        assert self._login_state is not None
        issuer, client_id = body.get("iss"), self.get_client_id()
        if issuer != self._login_state.issuer or client_id != self._login_state.client_id:
            raise LtiLaunchError(
                "registration_mismatch",
                "The id_token's issuer or audience is not the platform this sign-in started with.",
                status=401,
            )
        platform = self._tool_config.find_platform(issuer, client_id)
        if platform is None:
            raise LtiLaunchError(
                "unknown_platform",
                f"No registration for issuer {issuer!r} and client id {client_id!r}.",
                admin_hint="Register the platform with `assessment-bridge platform add`.",
                status=403,
            )
        self._platform = platform
        self._registration = self._tool_config.registration_for(platform)
        return self

    def validate_jwt_signature(self) -> BridgeMessageLaunch:
        token = self._get_request_param("id_token")
        platform = self.platform
        key = self._key_sets.public_key(platform.key_set_url, self._jwt["header"]["kid"])
        try:
            body = jwt.decode(
                token,
                key,
                algorithms=list(ALLOWED_ALGORITHMS),
                audience=platform.client_id,
                issuer=platform.issuer,
                leeway=self._policy.leeway_seconds,
                options={"require": list(REQUIRED_REGISTERED_CLAIMS)},
            )
        except jwt.ExpiredSignatureError as exc:
            raise LtiLaunchError("expired", "The id_token has expired.", status=401) from exc
        except jwt.ImmatureSignatureError as exc:
            raise LtiLaunchError(
                "not_yet_valid",
                "The id_token was issued in the future.",
                admin_hint="Check the clocks of the platform and the tool.",
                status=401,
            ) from exc
        except jwt.InvalidAudienceError as exc:
            raise LtiLaunchError(
                "wrong_audience", "The id_token is not meant for this tool.", status=401
            ) from exc
        except jwt.InvalidIssuerError as exc:
            raise LtiLaunchError(
                "wrong_issuer", "The id_token comes from another issuer.", status=401
            ) from exc
        except jwt.MissingRequiredClaimError as exc:
            raise LtiLaunchError(
                "missing_claim", f"The id_token lacks the {exc.claim!r} claim."
            ) from exc
        except jwt.PyJWTError as exc:
            raise LtiLaunchError(
                "bad_signature", "The id_token's signature is not valid.", status=401
            ) from exc
        self._check_azp(body)
        self._jwt["body"] = body
        return self

    def _check_azp(self, body: dict[str, t.Any]) -> None:
        audience = body["aud"]
        several = isinstance(audience, list) and len(audience) > 1
        azp = body.get("azp")
        if (several or azp is not None) and azp != self.platform.client_id:
            raise LtiLaunchError(
                "wrong_azp", "The id_token's authorized party (azp) is not this tool.", status=401
            )

    def validate_deployment(self) -> BridgeMessageLaunch:
        deployment_id = self._jwt["body"].get(claims.DEPLOYMENT_ID)
        if not deployment_id:
            raise LtiLaunchError("missing_claim", "The id_token lacks the deployment_id claim.")
        status = self._store.deployment_status(self.platform, deployment_id)
        if status is not DeploymentStatus.ACTIVE:
            self._store.record_refused_deployment(self.platform, deployment_id)
            raise LtiLaunchError(
                "inactive_deployment",
                f"Deployment {deployment_id!r} of this platform is not active in the tool.",
                admin_hint=(
                    "Activate it with `assessment-bridge platform deployment add"
                    f" --issuer {self.platform.issuer} --client-id {self.platform.client_id}"
                    f" --deployment-id {deployment_id}`"
                ),
                status=403,
            )
        return self

    def decline_deep_link(self, message: str) -> DeepLinkAnswer:
        """Answer a validated deep-linking request with no content items and ``message``.

        :raises LtiLaunchError: the request's ``deep_link_return_url`` is not http(s).
        """
        settings = self._jwt["body"].get(claims.DEEP_LINKING_SETTINGS) or {}
        return_url = settings.get("deep_link_return_url")
        if not isinstance(return_url, str) or not is_http_url(return_url):
            raise LtiLaunchError(
                "bad_deep_link_return",
                "The deep-linking request's return URL is not an http(s) URL.",
                admin_hint="The platform must send deep_link_return_url as an http(s) URL.",
            )
        deep_link = self.get_deep_link()
        body = deep_link.get_message_jwt([])
        body[DEEP_LINKING_MSG] = message
        # The data claim must echo the request's, and only when the request had one.
        if body.get(DEEP_LINKING_DATA) is None:
            del body[DEEP_LINKING_DATA]
        return DeepLinkAnswer(return_url=return_url, jwt=deep_link.encode_jwt(body))

    def save_launch_data(self) -> BridgeMessageLaunch:
        assert self._login_state is not None
        taken = self._states.take(self._login_state.state)
        if taken is None or taken.nonce != self._login_state.nonce:
            raise LtiLaunchError(
                "replayed", "This launch was already used; start again from the course.", status=401
            )
        self._session_service.save_launch_data(self._launch_id, self._jwt["body"])
        return self


def reopen_url(body: t.Mapping[str, t.Any], platform: PlatformRecord) -> str | None:
    """The platform page to open the course from again: ``launch_presentation.return_url``.

    Only called on a body whose signature was verified, so the platform vouches for it;
    anything but an absolute ``http(s)`` URL (``javascript:``, ``data:``...) on the
    platform's own site (its issuer's origin or one an admin allowed) is dropped, so our
    page never links elsewhere.  A browser that holds the id_token learns nothing new from
    it: the URL is in the token.
    """
    presentation = body.get(claims.LAUNCH_PRESENTATION)
    url = presentation.get("return_url") if isinstance(presentation, dict) else None
    if not isinstance(url, str) or not is_http_url(url):
        return None
    return url if on_site(url, platform.issuer, platform.allowed_origins) else None


def is_http_url(url: str) -> bool:
    """An absolute http(s) URL: safe as a link or a form action (no ``javascript:``).

    Whitespace and control characters are refused outright: browsers drop some of them
    inside a scheme, so ``java\tscript:`` must not get the chance to be read as one.
    """
    if any(char.isspace() or ord(char) < 0x20 or ord(char) == 0x7F for char in url):
        return False
    parts = urlsplit(url)
    return parts.scheme in LINK_SCHEMES and bool(parts.netloc)
