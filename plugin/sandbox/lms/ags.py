"""AGS 2.0 line item service (https://www.imsglobal.org/spec/lti-ags/v2p0#line-item-service).

``bp`` serves the container; ``item_bp`` one line item, registered under the profile's
line item rule (see ``urls.line_item_rule``).
"""

from __future__ import annotations

import typing as t

from flask import Blueprint
from flask import Response
from flask import request

from plugin.sandbox.lms import vocab
from plugin.sandbox.lms.access import authorize
from plugin.sandbox.lms.access import caller_type_id
from plugin.sandbox.lms.access import read_typed_json
from plugin.sandbox.lms.access import require_accept
from plugin.sandbox.lms.access import typed_json
from plugin.sandbox.lms.ags_schema import line_item_fields
from plugin.sandbox.lms.ags_schema import line_item_json
from plugin.sandbox.lms.canvas_ext import line_item_extension_fields
from plugin.sandbox.lms.context import base_url
from plugin.sandbox.lms.context import current_lms
from plugin.sandbox.lms.gradebook import add_line_item
from plugin.sandbox.lms.gradebook import delete_line_item
from plugin.sandbox.lms.gradebook import update_line_item
from plugin.sandbox.lms.paging import paginate
from plugin.sandbox.lms.urls import line_item_url

if t.TYPE_CHECKING:
    from plugin.sandbox.lms.models import JsonDict
    from plugin.sandbox.lms.models import LineItem

bp = Blueprint("lms_ags", __name__, url_prefix="/api/contexts/<context_id>/lineitems")
item_bp = Blueprint("lms_ags_item", __name__)

_READ = (vocab.SCOPE_LINEITEM, vocab.SCOPE_LINEITEM_READONLY)
_FILTERS = (
    ("resource_link_id", "resource_link_id"),
    ("tag", "tag"),
    ("resource_id", "resource_id"),
)


def _render(item: LineItem, type_id: str | None) -> dict[str, t.Any]:
    return line_item_json(item, line_item_url(base_url(), item.context_id, item.id, type_id))


def _fields(body: JsonDict) -> JsonDict:
    fields = line_item_fields(body)
    if current_lms().profile.canvas_extensions:
        fields.update(line_item_extension_fields(body))
    return fields


@bp.get("")
def list_line_items(context_id: str) -> Response:
    """List the context's line items, filtered and paged."""
    type_id = caller_type_id(authorize(*_READ))
    require_accept(vocab.MEDIA_LINEITEM_CONTAINER)
    state = current_lms().state
    state.context(context_id)
    with state.lock:
        items = [i for i in state.line_items.values() if i.context_id == context_id]
    for param, field in _FILTERS:
        if param in request.args:
            items = [i for i in items if getattr(i, field) == request.args[param]]
    page, headers = paginate(items)
    response = typed_json([_render(i, type_id) for i in page], vocab.MEDIA_LINEITEM_CONTAINER)
    response.headers.update(headers)
    return response


@bp.post("")
def create_line_item(context_id: str) -> Response:
    """Create a line item, recording which tool created it."""
    token = authorize(vocab.SCOPE_LINEITEM)
    type_id = caller_type_id(token)
    require_accept(vocab.MEDIA_LINEITEM)
    lms = current_lms()
    lms.state.context(context_id)
    fields = _fields(read_typed_json(vocab.MEDIA_LINEITEM))
    item = add_line_item(lms.state, lms.profile, context_id, fields, created_by=token.client_id)
    rendered = _render(item, type_id)
    response = typed_json(rendered, vocab.MEDIA_LINEITEM, status=201)
    response.headers["Location"] = rendered["id"]
    return response


@item_bp.get("")
def get_line_item(context_id: str, line_item_id: str) -> Response:
    """Return one line item."""
    type_id = caller_type_id(authorize(*_READ))
    require_accept(vocab.MEDIA_LINEITEM)
    item = current_lms().state.line_item(context_id, line_item_id)
    return typed_json(_render(item, type_id), vocab.MEDIA_LINEITEM)


@item_bp.put("")
def put_line_item(context_id: str, line_item_id: str) -> Response:
    """Replace a line item's label, maximum, tag, resource id and dates."""
    type_id = caller_type_id(authorize(vocab.SCOPE_LINEITEM))
    require_accept(vocab.MEDIA_LINEITEM)
    state = current_lms().state
    item = state.line_item(context_id, line_item_id)
    update_line_item(state, item, _fields(read_typed_json(vocab.MEDIA_LINEITEM)))
    return typed_json(_render(item, type_id), vocab.MEDIA_LINEITEM)


@item_bp.delete("")
def remove_line_item(context_id: str, line_item_id: str) -> Response:
    """Delete a line item and its scores."""
    caller_type_id(authorize(vocab.SCOPE_LINEITEM))
    state = current_lms().state
    delete_line_item(state, state.line_item(context_id, line_item_id))
    return Response(status=204)
