"""Line items as the AGS line item service shows them
(https://www.imsglobal.org/spec/lti-ags/v2p0#line-item-service)."""

from __future__ import annotations

import dataclasses
import hashlib
import typing as t
import urllib.parse


@dataclasses.dataclass(frozen=True)
class LineItemSpec:
    """The line item an assessment placed at a resource link needs.

    :param label: the gradebook column's title.
    :param score_maximum: from the assessment's score policy (> 0).
    :param resource_link_id: the LTI resource link the column belongs to.
    :param tag: tells our columns apart from others on the same link; ``None`` matches
        (and creates) a line item without a tag.
    :param resource_id: the tool's own id of the assessment, if any.
    """

    label: str
    score_maximum: float
    resource_link_id: str
    tag: str | None = None
    resource_id: str | None = None

    def __post_init__(self) -> None:
        if not self.label.strip():
            raise ValueError("label must not be empty")
        if not self.score_maximum > 0:
            raise ValueError("score_maximum must be greater than 0")
        if not self.resource_link_id:
            raise ValueError("resource_link_id must not be empty")

    def body(self) -> dict[str, t.Any]:
        """The JSON sent to create the line item."""
        body: dict[str, t.Any] = {
            "label": self.label,
            "scoreMaximum": self.score_maximum,
            "resourceLinkId": self.resource_link_id,
        }
        if self.tag is not None:
            body["tag"] = self.tag
        if self.resource_id is not None:
            body["resourceId"] = self.resource_id
        return body

    def query(self) -> dict[str, str]:
        """Filters for the listing; the platform may ignore them, so results are matched again."""
        query = {"resource_link_id": self.resource_link_id}
        if self.tag is not None:
            query["tag"] = self.tag
        return query

    def matches(self, item: LineItem) -> bool:
        return item.resource_link_id == self.resource_link_id and item.tag == self.tag


@dataclasses.dataclass(frozen=True)
class LineItem:
    """A line item the platform returned; ``url`` is its ``id``."""

    url: str
    label: str
    score_maximum: float
    resource_link_id: str | None
    tag: str | None


def parse_line_item(body: object) -> LineItem | None:
    """Read one line item; None for an entry without a usable ``id``."""
    if not isinstance(body, dict) or not isinstance(body.get("id"), str) or not body["id"]:
        return None
    maximum = body.get("scoreMaximum")
    return LineItem(
        url=body["id"],
        label=str(body.get("label") or ""),
        score_maximum=float(maximum) if isinstance(maximum, int | float) else 0.0,
        resource_link_id=_optional_str(body.get("resourceLinkId")),
        tag=_optional_str(body.get("tag")),
    )


def _optional_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def scores_url(line_item_url: str) -> str:
    """``<line item>/scores``, keeping any query string after the path (AGS 2.0 section 3.4)."""
    parts = urllib.parse.urlsplit(line_item_url)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def lookup_key(issuer: str, client_id: str, lineitems_url: str, spec: LineItemSpec) -> str:
    """Store key under which a found or created line item URL is shared for a short while."""
    tag = "" if spec.tag is None else "#" + spec.tag
    parts = [issuer, client_id, lineitems_url, spec.resource_link_id, tag]
    return "lti:lineitem:" + hashlib.sha256("\0".join(parts).encode()).hexdigest()
