"""URLs of the per-context service endpoints, as published in claims and ``id`` fields."""

from __future__ import annotations

import urllib.parse


def context_api_url(issuer: str, context_id: str) -> str:
    """Return ``<issuer>/api/contexts/<context_id>`` with the id percent-encoded."""
    return f"{issuer}/api/contexts/{urllib.parse.quote(context_id, safe='')}"


def line_item_url(issuer: str, context_id: str, line_item_id: str) -> str:
    """Return the URL (and AGS ``id``) of a line item."""
    quoted = urllib.parse.quote(line_item_id, safe="")
    return f"{context_api_url(issuer, context_id)}/lineitems/{quoted}"
