"""Content items returned through Deep Linking (DL 2.0 section 3): validation and storage."""

from __future__ import annotations

import dataclasses
import typing as t
import urllib.parse

from plugin.sandbox.lms.ags_schema import line_item_fields
from plugin.sandbox.lms.errors import ApiError
from plugin.sandbox.lms.errors import PageError
from plugin.sandbox.lms.gradebook import add_line_item
from plugin.sandbox.lms.models import ContentItem
from plugin.sandbox.lms.models import ResourceLink
from plugin.sandbox.lms.state import new_id

if t.TYPE_CHECKING:
    from collections.abc import Sequence

    from plugin.sandbox.lms.models import JsonDict
    from plugin.sandbox.lms.models import PendingLaunch
    from plugin.sandbox.lms.profiles import LmsProfile
    from plugin.sandbox.lms.state import LmsState


@dataclasses.dataclass(frozen=True)
class ParsedItem:
    """A validated content item and, for a resource link, its line item fields."""

    item: JsonDict
    line_item: JsonDict | None


def _bad(description: str) -> PageError:
    return PageError("content_items", description)


def parse_content_items(raw: object, accept_types: Sequence[str]) -> list[ParsedItem]:
    """Validate the ``content_items`` claim (absent means nothing was selected).

    :raises PageError: ``content_items`` naming the first bad item.
    """
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(i, dict) for i in raw):
        raise _bad("content_items must be a list of objects")
    return [_parse_item(item, accept_types) for item in raw]


def _parse_item(item: JsonDict, accept_types: Sequence[str]) -> ParsedItem:
    if item.get("type") not in accept_types:
        raise _bad(f"type {item.get('type')!r} is not one of {list(accept_types)}")
    title = item.get("title")
    if title is not None and not isinstance(title, str):
        raise _bad("title must be a string")
    url = item.get("url")
    if url is not None and not _absolute_url(url):
        raise _bad("url must be an absolute http(s) URL")
    if item["type"] == "link" and url is None:
        raise _bad("a link item needs a url")
    custom = item.get("custom", {})
    if not isinstance(custom, dict) or not all(isinstance(v, str) for v in custom.values()):
        raise _bad("custom must be an object of strings")
    line_item = item.get("lineItem")
    if line_item is None or item["type"] != "ltiResourceLink":
        return ParsedItem(dict(item), None)
    if not isinstance(line_item, dict):
        raise _bad("lineItem must be an object")
    try:
        fields = line_item_fields({"label": title, **line_item})
    except ApiError as exc:
        raise _bad(f"lineItem: {exc.description}") from exc
    return ParsedItem(dict(item), fields)


def _absolute_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parts = urllib.parse.urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def store_content_items(
    state: LmsState, profile: LmsProfile, launch: PendingLaunch, items: list[ParsedItem]
) -> list[ContentItem]:
    """Add the items to the launch's context; resource links get their line item."""
    stored: list[ContentItem] = []
    with state.lock:
        for parsed in items:
            link_id = (
                _store_link(state, profile, launch, parsed)
                if parsed.item["type"] == "ltiResourceLink"
                else None
            )
            content = ContentItem(
                context_id=launch.context_id,
                client_id=launch.client_id,
                item=parsed.item,
                resource_link_id=link_id,
            )
            state.content_items.append(content)
            stored.append(content)
    return stored


def _store_link(
    state: LmsState, profile: LmsProfile, launch: PendingLaunch, parsed: ParsedItem
) -> str:
    item = parsed.item
    link = ResourceLink(
        id=new_id("rl"),
        context_id=launch.context_id,
        title=item.get("title") or "Untitled",
        custom=dict(item.get("custom", {})),
        url=item.get("url"),
    )
    state.resource_links[link.id] = link
    if parsed.line_item is not None:
        fields = {**parsed.line_item, "resource_link_id": link.id}
        link.line_item_id = add_line_item(state, profile, launch.context_id, fields).id
    return link.id
