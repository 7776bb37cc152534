"""AGS 2.0 score publish and result services
(https://www.imsglobal.org/spec/lti-ags/v2p0#score-publish-service,
https://www.imsglobal.org/spec/lti-ags/v2p0#result-service).

Registered under the profile's line item rule (see ``urls.line_item_rule``).
"""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import request

from plugin.sandbox.lms import vocab
from plugin.sandbox.lms.access import authorize
from plugin.sandbox.lms.access import caller_type_id
from plugin.sandbox.lms.access import read_typed_json
from plugin.sandbox.lms.access import require_accept
from plugin.sandbox.lms.access import typed_json
from plugin.sandbox.lms.ags_schema import parse_score
from plugin.sandbox.lms.ags_schema import result_json
from plugin.sandbox.lms.canvas_ext import check_submission
from plugin.sandbox.lms.context import base_url
from plugin.sandbox.lms.context import current_lms
from plugin.sandbox.lms.gradebook import record_score
from plugin.sandbox.lms.paging import paginate
from plugin.sandbox.lms.urls import line_item_url

bp = Blueprint("lms_ags_scores", __name__)


@bp.post("/scores")
def post_score(context_id: str, line_item_id: str) -> Response:
    """Store a score unless it is not newer than the last one (409 by default)."""
    caller_type_id(authorize(vocab.SCOPE_SCORE))
    lms = current_lms()
    item = lms.state.line_item(context_id, line_item_id)
    body = read_typed_json(vocab.MEDIA_SCORE)
    user_id, timestamp = parse_score(body)
    if lms.profile.canvas_extensions:
        check_submission(body)
    record_score(lms.state, lms.profile, item, user_id=user_id, timestamp=timestamp, body=body)
    return Response(status=204)


@bp.get("/results")
def list_results(context_id: str, line_item_id: str) -> Response:
    """Return the current result per user, optionally for one ``user_id``, paged."""
    type_id = caller_type_id(authorize(vocab.SCOPE_RESULT_READONLY))
    require_accept(vocab.MEDIA_RESULT_CONTAINER)
    state = current_lms().state
    item = state.line_item(context_id, line_item_id)
    wanted = request.args.get("user_id")
    with state.lock:
        latest = [
            score
            for (li, user), score in state.latest_scores.items()
            if li == item.id and wanted in (None, user)
        ]
    page, headers = paginate(latest)
    url = line_item_url(base_url(), context_id, item.id, type_id)
    response = typed_json([result_json(s, url) for s in page], vocab.MEDIA_RESULT_CONTAINER)
    response.headers.update(headers)
    return response
