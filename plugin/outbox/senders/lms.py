"""Delivering a score to the LMS gradebook through AGS.

The line item is the one the launch named, or the one found (or created) by
resource link and tag; once known it is remembered per placement and
assessment, so later scores go straight to it.
"""

from __future__ import annotations

import typing as t

from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from lti.ags.client import AgsClient
from lti.ags.errors import AgsError
from lti.ags.factory import AgsClientFactory
from lti.ags.line_items import LineItemSpec
from plugin.outbox.deliveries import Claim
from plugin.store.models import LineItemLink
from plugin.store.upsert import insert_if_absent

if t.TYPE_CHECKING:
    from plugin.registrations.platforms import PlatformService


class LmsSender:
    def __init__(
        self, sessions: sessionmaker[Session], platforms: PlatformService, clients: AgsClientFactory
    ) -> None:
        self._sessions = sessions
        self._platforms = platforms
        self._clients = clients
        #: Line item URLs by (resource link, assessment): stored once, never changed.
        self._line_items: dict[tuple[int, int], str] = {}

    def send(self, claim: Claim) -> str:
        """Post the claim's score; returns the receipt line.

        :raises AgsError: from the platform, or when its registration was removed.
        """
        payload = claim.payload
        platform = self._platforms.record(int(payload["platform_id"]))
        if platform is None:
            raise AgsError(
                "the platform this grade belongs to is no longer registered",
                status=None,
                retryable=False,
            )
        client = self._clients.for_platform(platform)
        url = self._line_item_url(client, payload)
        receipt = client.post_score(url, payload["score"])
        return f"score posted to {url} (timestamp {receipt.timestamp})"

    def _line_item_url(self, client: AgsClient, payload: t.Mapping[str, t.Any]) -> str:
        key = (int(payload["resource_link"]), int(payload["assessment_id"]))
        remembered = self._line_items.get(key)
        if remembered is not None:
            return remembered
        with self._sessions() as session:
            known = session.get(LineItemLink, key)
            if known is not None:
                self._line_items[key] = known.url
                return known.url
        item = payload["line_item"]
        url = client.line_item_url(
            LineItemSpec(
                label=item["label"],
                score_maximum=float(item["score_maximum"]),
                resource_link_id=item["resource_link_id"],
                tag=item.get("tag"),
                resource_id=item.get("resource_id"),
            ),
            lineitem_url=payload.get("lineitem_url") or None,
            lineitems_url=payload.get("lineitems_url") or None,
        )
        with self._sessions.begin() as session:
            insert_if_absent(
                session,
                LineItemLink,
                {"resource_link_id": key[0], "assessment_id": key[1], "url": url},
            )
        return url
