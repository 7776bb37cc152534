"""The reconciliation cursor of ExamSpark: where a pass over the sessions list stands.

Format: the JSON text ``{"v": 1, "nextToken": "<the vendor's nextToken>"}``.  No cursor
(None) means "from the first page".  An unreadable cursor, or one of another version,
also means "from the first page": listing only triggers re-fetches, so starting over
is always safe.
"""

from __future__ import annotations

import json
import logging

logger = logging.getLogger(__name__)

VERSION = 1


def read_cursor(cursor: str | None) -> str | None:
    """The vendor page token to continue from, or None to start a new pass."""
    if not cursor:
        return None
    try:
        data = json.loads(cursor)
    except ValueError:
        data = None
    if isinstance(data, dict) and data.get("v") == VERSION:
        token = data.get("nextToken")
        if isinstance(token, str) and token:
            return token
    logger.warning("examspark cursor unreadable; restarting the session listing")
    return None


def write_cursor(token: str) -> str:
    """The cursor continuing at the vendor page token ``token``."""
    return json.dumps({"v": VERSION, "nextToken": token}, separators=(",", ":"))
