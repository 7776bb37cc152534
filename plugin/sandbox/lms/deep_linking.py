"""Deep Linking 2.0 return endpoint (https://www.imsglobal.org/spec/lti-dl/v2p0#deep-linking-response-message).

The tool posts a JWT it signed in the ``JWT`` form field. The platform checks it like any tool JWT,
then checks the LTI claims and the ``data`` echo of the deep-linking request it answers, stores
the content items (``ltiResourceLink`` items become resource links, with their line item) and
shows what was added.
"""

from __future__ import annotations

import typing as t

from flask import Blueprint
from flask import request

from plugin.sandbox.lms import vocab
from plugin.sandbox.lms.assertions import LEEWAY_S
from plugin.sandbox.lms.assertions import verify_tool_jwt
from plugin.sandbox.lms.content_items import parse_content_items
from plugin.sandbox.lms.content_items import store_content_items
from plugin.sandbox.lms.context import base_url
from plugin.sandbox.lms.context import current_lms
from plugin.sandbox.lms.errors import JwtRejectedError
from plugin.sandbox.lms.errors import PageError
from plugin.sandbox.lms.id_token import DEEP_LINK_ACCEPT_TYPES
from plugin.sandbox.lms.pages import list_page

if t.TYPE_CHECKING:
    from flask import Response

    from plugin.sandbox.lms.models import JsonDict
    from plugin.sandbox.lms.models import PendingLaunch
    from plugin.sandbox.lms.models import Tool
    from plugin.sandbox.lms.state import LmsState

bp = Blueprint("lms_deep_linking", __name__)

_EXPECTED = (
    (vocab.CLAIM_MESSAGE_TYPE, "message_type", vocab.MESSAGE_DEEP_LINKING_RESPONSE),
    (vocab.CLAIM_VERSION, "version", vocab.LTI_VERSION),
)


@bp.post("/deep_link_return")
def deep_link_return() -> Response:
    """Accept the tool's deep-linking response and add its content items to the course."""
    token = request.form.get("JWT", "")
    if not token:
        raise PageError("JWT", "the JWT form field is required")
    lms = current_lms()
    try:
        tool, claims = verify_tool_jwt(lms, token, audience=[base_url()], required=["nonce"])
    except JwtRejectedError as exc:
        raise PageError(exc.check, exc.description) from exc
    _check_claims(tool, claims)
    items = parse_content_items(claims.get(vocab.CLAIM_DL_CONTENT_ITEMS), DEEP_LINK_ACCEPT_TYPES)
    if not lms.state.claim_nonce(tool.client_id, claims["nonce"], float(claims["exp"]) + LEEWAY_S):
        raise PageError("nonce", "this nonce was already used")
    launch = _take_request(lms.state, tool, claims)
    stored = store_content_items(lms.state, lms.profile, launch, items)
    titles = [f"{c.item['type']}: {c.item.get('title', '(untitled)')}" for c in stored]
    message = claims.get(vocab.CLAIM_DL_MSG) or f"{len(stored)} item(s) added to the course."
    return list_page("Content added", str(message), titles)


def _check_claims(tool: Tool, claims: JsonDict) -> None:
    for claim, check, expected in _EXPECTED:
        if claims.get(claim) != expected:
            raise PageError(check, f"{check} must be {expected!r}")
    if claims.get(vocab.CLAIM_DEPLOYMENT_ID) not in tool.deployment_ids:
        raise PageError("deployment_id", "deployment_id is not a deployment of this tool")
    if not isinstance(claims.get("nonce"), str) or not claims["nonce"]:
        raise PageError("nonce", "nonce must be a non-empty string")


def _take_request(state: LmsState, tool: Tool, claims: JsonDict) -> PendingLaunch:
    """Find the deep-linking request whose ``data`` the response echoes, and spend it."""
    data = str(claims.get(vocab.CLAIM_DL_DATA))
    with state.lock:
        launch = state.launches.get(state.deep_link_data.get(data, ""))
        if launch is None or launch.client_id != tool.client_id:
            raise PageError(
                "data", "data does not echo a pending deep-linking request of this tool"
            )
        if launch.deployment_id != claims[vocab.CLAIM_DEPLOYMENT_ID]:
            raise PageError("deployment_id", "deployment_id differs from the deep-linking request")
        del state.deep_link_data[data]
    return launch
