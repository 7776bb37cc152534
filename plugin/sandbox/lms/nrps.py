"""NRPS 2.0 context membership service (https://www.imsglobal.org/spec/lti-nrps/v2p0)."""

from __future__ import annotations

import typing as t

from flask import Blueprint
from flask import request

from plugin.sandbox.lms import vocab
from plugin.sandbox.lms.access import authorize
from plugin.sandbox.lms.access import require_accept
from plugin.sandbox.lms.access import typed_json
from plugin.sandbox.lms.context import base_url
from plugin.sandbox.lms.context import current_lms
from plugin.sandbox.lms.paging import paginate
from plugin.sandbox.lms.urls import context_api_url

if t.TYPE_CHECKING:
    from flask import Response

    from plugin.sandbox.lms.models import JsonDict
    from plugin.sandbox.lms.models import User

bp = Blueprint("lms_nrps", __name__)


def _member(user: User, roles: list[str]) -> JsonDict:
    return {
        "status": "Active",
        "user_id": user.id,
        "name": user.name,
        "given_name": user.given_name,
        "family_name": user.family_name,
        "email": user.email,
        "roles": roles,
    }


@bp.get("/api/contexts/<context_id>/memberships")
def memberships(context_id: str) -> Response:
    """List the context's members, optionally only those holding ``role``, paged by ``limit``."""
    authorize(vocab.SCOPE_NRPS)
    require_accept(vocab.MEDIA_MEMBERSHIP_CONTAINER)
    state = current_lms().state
    context = state.context(context_id)
    role = request.args.get("role")
    wanted = vocab.full_role(role) if role else None
    with state.lock:
        members = [
            _member(state.users[user_id], roles)
            for user_id, roles in state.memberships.get(context_id, {}).items()
            if wanted is None or wanted in roles
        ]
    page, headers = paginate(members)
    container = {
        "id": context_api_url(base_url(), context_id) + "/memberships",
        "context": {"id": context.id, "label": context.label, "title": context.title},
        "members": page,
    }
    response = typed_json(container, vocab.MEDIA_MEMBERSHIP_CONTAINER)
    response.headers.update(headers)
    return response
