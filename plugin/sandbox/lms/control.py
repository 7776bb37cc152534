"""Control API, part 1: set up tools, courses, people and resource links.

JSON in and out, no authentication, loopback callers only. Used by tests, benchmarks and the demo
to shape the platform before driving launches through it.
"""

from __future__ import annotations

import typing as t

from flask import Blueprint
from flask import abort
from flask import jsonify
from flask import request

from plugin.sandbox.lms import ids
from plugin.sandbox.lms import vocab
from plugin.sandbox.lms.ags_schema import line_item_fields
from plugin.sandbox.lms.context import base_url
from plugin.sandbox.lms.context import current_lms
from plugin.sandbox.lms.errors import ApiError
from plugin.sandbox.lms.gradebook import add_line_item
from plugin.sandbox.lms.models import Context
from plugin.sandbox.lms.models import ResourceLink
from plugin.sandbox.lms.models import User
from plugin.sandbox.lms.payload import json_body
from plugin.sandbox.lms.payload import obj
from plugin.sandbox.lms.payload import opt_str
from plugin.sandbox.lms.payload import req_str
from plugin.sandbox.lms.payload import str_dict
from plugin.sandbox.lms.payload import str_list
from plugin.sandbox.lms.state import new_id
from plugin.sandbox.lms.tools import add_deployment
from plugin.sandbox.lms.tools import create_tool
from plugin.sandbox.lms.views import context_view
from plugin.sandbox.lms.views import tool_view

if t.TYPE_CHECKING:
    from flask import Response

    from plugin.sandbox.lms.models import JsonDict

bp = Blueprint("lms_control", __name__, url_prefix="/sandbox")

_LOOPBACK = frozenset({"127.0.0.1", "::1"})


@bp.before_request
def loopback_only() -> None:
    """Refuse callers that are not on this machine."""
    if request.remote_addr not in _LOOPBACK:
        abort(403)


@bp.post("/tools")
def register_tool() -> tuple[Response, int]:
    """Register a tool by hand, as an administrator would in an LMS form."""
    body, lms = json_body(), current_lms()
    scopes = str_list(body, "scopes") if "scopes" in body else list(vocab.SERVICE_SCOPES)
    tool = create_tool(
        lms.state,
        lms.profile,
        name=req_str(body, "name"),
        initiate_login_uri=req_str(body, "initiate_login_uri"),
        redirect_uris=str_list(body, "redirect_uris", required=True),
        jwks_uri=req_str(body, "jwks_uri"),
        target_link_uri=req_str(body, "target_link_uri"),
        deep_link_uri=opt_str(body, "deep_link_uri"),
        scopes=scopes,
        custom=str_dict(body, "custom"),
    )
    issuer = base_url()
    return jsonify(
        client_id=tool.client_id,
        deployment_id=tool.deployment_ids[0],
        issuer=issuer,
        auth_login_url=issuer + "/auth",
        auth_token_url=issuer + "/token",
        key_set_url=issuer + "/jwks",
        auth_audience=issuer + "/token",
        scopes=sorted(tool.scopes),
    ), 201


@bp.get("/tools/<client_id>")
def show_tool(client_id: str) -> Response:
    """Show a tool's registration, deployments and granted scopes."""
    return jsonify(tool_view(current_lms().state.tool(client_id)))


@bp.post("/tools/<client_id>/deployments")
def deploy_tool(client_id: str) -> tuple[Response, int]:
    """Add a deployment of a tool."""
    lms = current_lms()
    deployment_id = add_deployment(lms.state, lms.profile, lms.state.tool(client_id))
    return jsonify(deployment_id=deployment_id), 201


@bp.post("/tools/<client_id>/activate")
def activate_tool(client_id: str) -> Response:
    """Activate a tool, as a Moodle administrator does with a pending dynamic registration."""
    state = current_lms().state
    tool = state.tool(client_id)
    with state.lock:
        tool.active = True
    return jsonify(tool_view(tool))


def _fresh_id(
    body: JsonDict, prefix: str, taken: t.Container[str], generated: str | None = None
) -> str:
    wanted = opt_str(body, "id")
    if wanted is not None and wanted in taken:
        raise ApiError(409, "conflict", f"id {wanted!r} already exists")
    return wanted or generated or new_id(prefix)


@bp.post("/contexts")
def add_context() -> tuple[Response, int]:
    """Create a course offering."""
    body, state = json_body(), current_lms().state
    title = req_str(body, "title")
    with state.lock:
        context = Context(
            id=_fresh_id(body, "ctx", state.contexts),
            title=title,
            label=opt_str(body, "label") or title,
        )
        state.contexts[context.id] = context
        state.memberships[context.id] = {}
    return jsonify(id=context.id, title=context.title, label=context.label), 201


@bp.get("/contexts/<context_id>")
def show_context(context_id: str) -> Response:
    """Show a context with its members, resource links and deep-linked content items."""
    state = current_lms().state
    return jsonify(context_view(state, state.context(context_id)))


@bp.post("/users")
def add_user() -> tuple[Response, int]:
    """Create a user; given and family names default to the parts of ``name``."""
    body, lms = json_body(), current_lms()
    state = lms.state
    name = req_str(body, "name")
    given, _, family = name.partition(" ")
    with state.lock:
        generated = None if "id" in body else ids.user_id(state, lms.profile)
        user_id = _fresh_id(body, "user", state.users, generated)
        user = User(
            id=user_id,
            name=name,
            given_name=opt_str(body, "given_name") or given,
            family_name=opt_str(body, "family_name") or family or given,
            email=opt_str(body, "email") or f"{user_id}@sandbox.invalid",
        )
        state.users[user.id] = user
    return jsonify(vars(user)), 201


@bp.post("/contexts/<context_id>/members")
def enrol(context_id: str) -> tuple[Response, int]:
    """Enrol a user in a context with roles (short names such as ``Learner`` are expanded)."""
    body, state = json_body(), current_lms().state
    state.context(context_id)
    user = state.user(req_str(body, "user_id"))
    roles = [vocab.full_role(r) for r in str_list(body, "roles", required=True)]
    with state.lock:
        state.memberships[context_id][user.id] = roles
    return jsonify(context_id=context_id, user_id=user.id, roles=roles), 201


@bp.post("/contexts/<context_id>/resource-links")
def add_resource_link(context_id: str) -> tuple[Response, int]:
    """Place a tool link in a context, optionally with its own line item."""
    body, lms = json_body(), current_lms()
    state = lms.state
    state.context(context_id)
    title = req_str(body, "title")
    line_item = obj(body, "line_item")
    fields = line_item_fields({"label": title, **line_item}) if line_item is not None else None
    with state.lock:
        link = ResourceLink(
            id=_fresh_id(body, "rl", state.resource_links),
            context_id=context_id,
            title=title,
            custom=str_dict(body, "custom"),
            url=opt_str(body, "url"),
        )
        state.resource_links[link.id] = link
        if fields is not None:
            fields["resource_link_id"] = link.id
            link.line_item_id = add_line_item(state, lms.profile, context_id, fields).id
    return jsonify(id=link.id, title=link.title, line_item_id=link.line_item_id), 201
