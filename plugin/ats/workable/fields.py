"""Custom attribute definitions (``GET /spi/v3/custom_attributes``).

Answer read as ``{"custom_attributes": [{"id", "label", "type", "enabled", "hint",
"choices": [{"id", "body"}]}]}`` (``docs/ats/workable.md#attribute-definitions``). The
definition's ``id`` is taken as the ``custom_attribute_key`` of a write; a ``key`` member,
when present, wins. ``enabled`` (default true) becomes ``active``; dropdown ``choices``
become the options (choice id, label).
"""

from __future__ import annotations

import typing as t

from plugin.ats.base import AtsError
from plugin.ats.base import AtsFieldDefinition

if t.TYPE_CHECKING:
    from plugin.ats.workable.api import WorkableApi

_ACTION = "read custom attributes"


def custom_attributes(api: WorkableApi) -> list[AtsFieldDefinition]:
    """Every custom attribute of the account.

    :raises AtsError: when the account cannot be read.
    """
    body = api.call("GET", f"{api.base_url}/spi/v3/custom_attributes", _ACTION)
    items = body.get("custom_attributes") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise _unexpected()
    return [_definition(item) for item in items]


def _definition(item: t.Any) -> AtsFieldDefinition:
    if not isinstance(item, dict):
        raise _unexpected()
    key = item.get("key", item.get("id"))
    if not isinstance(key, str | int) or key == "" or not isinstance(item.get("type"), str):
        raise _unexpected()
    choices = item.get("choices") or []
    if not isinstance(choices, list) or not all(isinstance(c, dict) and "id" in c for c in choices):
        raise _unexpected()
    return AtsFieldDefinition(
        key=str(key),
        label=str(item.get("label") or key),
        type=item["type"],
        options=tuple((str(c["id"]), str(c.get("body", ""))) for c in choices),
        active=item.get("enabled", True) is not False,
    )


def _unexpected() -> AtsError:
    return AtsError(f"Workable answered an unexpected body when asked to {_ACTION}", retryable=True)
