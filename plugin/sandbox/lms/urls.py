"""URLs of the per-context service endpoints, as published in claims and ``id`` fields.

A Moodle-like platform (profile switch ``type_id_query``) names a line item
``.../lineitems/<id>/lineitem?type_id=<n>`` and its container ``.../lineitems?type_id=<n>``,
``<n>`` being the calling tool's type; ``type_id=None`` gives the spec-shaped URLs.
"""

from __future__ import annotations

import urllib.parse

_LINE_ITEM_RULE = "/api/contexts/<context_id>/lineitems/<line_item_id>"
_MOODLE_SUFFIX = "/lineitem"


def context_api_url(issuer: str, context_id: str) -> str:
    """Return ``<issuer>/api/contexts/<context_id>`` with the id percent-encoded."""
    return f"{issuer}/api/contexts/{urllib.parse.quote(context_id, safe='')}"


def line_items_url(issuer: str, context_id: str, type_id: str | None = None) -> str:
    """Return the URL of a context's line item container."""
    return _with_type(f"{context_api_url(issuer, context_id)}/lineitems", type_id)


def line_item_url(
    issuer: str, context_id: str, line_item_id: str, type_id: str | None = None
) -> str:
    """Return the URL (and AGS ``id``) of a line item."""
    quoted = urllib.parse.quote(line_item_id, safe="")
    path = f"{context_api_url(issuer, context_id)}/lineitems/{quoted}"
    if type_id is None:
        return path
    return _with_type(path + _MOODLE_SUFFIX, type_id)


def line_item_rule(type_id_query: bool) -> str:
    """Return the Flask rule of one line item, the prefix of its scores and results."""
    return _LINE_ITEM_RULE + (_MOODLE_SUFFIX if type_id_query else "")


def below(url: str, suffix: str) -> str:
    """Append ``suffix`` to the path of ``url``, keeping its query string after it."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path + suffix))


def _with_type(url: str, type_id: str | None) -> str:
    return url if type_id is None else f"{url}?{urllib.parse.urlencode({'type_id': type_id})}"
