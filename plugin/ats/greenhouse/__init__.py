"""Greenhouse Harvest v3 sink: candidate custom fields, with a note as fallback.

ATS facts: ``docs/ats/greenhouse.md`` (Harvest v3 client credentials, custom field writes,
notes, rate limits).
"""

from __future__ import annotations

from plugin.ats.greenhouse.config import GreenhouseConfig
from plugin.ats.greenhouse.sink import GreenhouseSink

__all__ = ["GreenhouseConfig", "GreenhouseSink"]
