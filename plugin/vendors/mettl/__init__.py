"""Mercer | Mettl connector: ak/ts/asgn signed REST client, adapter and settings.

Vendor facts: ``vendors.md`` section 3 and seed 002 (KB "16. Get Results of All
Candidates in Schedule").
"""

from __future__ import annotations

from plugin.vendors.mettl.adapter import MettlAdapter
from plugin.vendors.mettl.client import MettlClient
from plugin.vendors.mettl.config import MettlConfig
from plugin.vendors.mettl.errors import error_for

__all__ = ["MettlAdapter", "MettlClient", "MettlConfig", "error_for"]
