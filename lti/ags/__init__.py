"""LTI Advantage Assignment and Grade Services: line items and scores with shared tokens.

:class:`AgsClientFactory` is built once per process from the tool's keys and a shared store;
``for_platform`` gives the :class:`AgsClient` a delivery uses.
"""

from __future__ import annotations

from lti.ags.client import AgsClient
from lti.ags.client import ScoreReceipt
from lti.ags.errors import AgsError
from lti.ags.factory import AgsClientFactory
from lti.ags.line_items import LineItem
from lti.ags.line_items import LineItemSpec
from lti.ags.media import DEFAULT_SCOPES
from lti.ags.media import MEDIA_LINEITEM
from lti.ags.media import MEDIA_LINEITEM_CONTAINER
from lti.ags.media import MEDIA_SCORE
from lti.ags.sessions import PlatformSessions
from lti.ags.timestamps import ScoreClock

__all__ = [
    "DEFAULT_SCOPES",
    "MEDIA_LINEITEM",
    "MEDIA_LINEITEM_CONTAINER",
    "MEDIA_SCORE",
    "AgsClient",
    "AgsClientFactory",
    "AgsError",
    "LineItem",
    "LineItemSpec",
    "PlatformSessions",
    "ScoreClock",
    "ScoreReceipt",
]
