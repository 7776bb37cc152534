"""Per-app state of the ExamSpark simulator and the helpers every view shares."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import decimal
import hmac
import typing as t
import urllib.parse

from flask import current_app
from flask import request

from plugin.sandbox.vendors.examspark.errors import ApiError
from plugin.sandbox.vendors.examspark.models import COMPLETE

if t.TYPE_CHECKING:
    from plugin.sandbox.vendors.examspark.models import Session
    from plugin.sandbox.vendors.examspark.passback import PassbackSender
    from plugin.sandbox.vendors.examspark.state import Workspace

EXTENSION_KEY = "sandbox.examspark"
_BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="examspark"'}


@dataclasses.dataclass
class ExamSparkSandbox:
    workspace: Workspace
    passbacks: PassbackSender
    accept_plain_basic: bool = True

    def require_basic_auth(self) -> None:
        """:raises ApiError: 401 for a missing, malformed or wrong Basic header."""
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic" or not value.strip():
            raise ApiError(401, "Missing Basic authorization", _BASIC_CHALLENGE)
        credentials = self._decode(value.strip())
        key, _, secret = credentials.partition(":")
        workspace = self.workspace
        if not (
            hmac.compare_digest(key.encode(), workspace.app_key.encode())
            and hmac.compare_digest(secret.encode(), workspace.app_secret.encode())
        ):
            raise ApiError(401, "Invalid app key or secret", _BASIC_CHALLENGE)

    def _decode(self, value: str) -> str:
        if ":" in value:
            if not self.accept_plain_basic:
                raise ApiError(401, "Malformed Basic authorization", _BASIC_CHALLENGE)
            return value
        try:
            return base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ApiError(401, "Malformed Basic authorization", _BASIC_CHALLENGE) from None

    def after_scoring(self, session: Session) -> None:
        """Fire the grade passback of a session that was just scored."""
        config = self.workspace.config(session.config_id)
        counted = session.resolved(config.resolution)
        if session.maturity != COMPLETE or not session.outcome_url or counted is None:
            return
        fraction = decimal.Decimal(counted.points or 0) / decimal.Decimal(len(config.items))
        score = str(fraction.quantize(decimal.Decimal("0.0001")).normalize())
        self.passbacks.send(
            session_id=session.id,
            url=session.outcome_url,
            sourced_id=session.result_sourcedid,
            score=score,
        )

    def player_url(self, session: Session, *, base_url: str) -> str:
        """A player link for ``session`` with a fresh SDK token."""
        token = self.workspace.mint_sdk_token(f"{session.user_id}@player.invalid")
        return player_url(
            base_url,
            {
                "auth": token,
                "id": session.config_id,
                "user_id": session.user_id,
                "context_id": session.context_id,
                "resource_link_id": session.resource_link_id,
            },
        )


def player_url(base_url: str, options: t.Mapping[str, str]) -> str:
    """The simulator's Exam Player page for the SDK ``options`` (auth, id, user_id, ...).

    The real SDK builds its iframe from the same options; a test without JavaScript
    opens this URL instead.
    """
    query = urllib.parse.urlencode({k: v for k, v in options.items() if v})
    return f"{base_url.rstrip('/')}/sdk/player?{query}"


def current() -> ExamSparkSandbox:
    sandbox: ExamSparkSandbox = current_app.extensions[EXTENSION_KEY]
    return sandbox


def json_object() -> dict[str, t.Any]:
    """The request's JSON object body.

    :raises ApiError: 400 when the body is not a JSON object.
    """
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "Request body must be a JSON object")
    return data


def includes() -> set[str]:
    """The ``include[]`` query values.

    :raises ApiError: 400 for a value other than ``results`` or ``responses``.
    """
    values = set(request.args.getlist("include[]"))
    unknown = values - {"results", "responses"}
    if unknown:
        raise ApiError(400, f"Unknown include value(s): {', '.join(sorted(unknown))}")
    return values
