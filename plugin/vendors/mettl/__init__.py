"""Mercer | Mettl connector: ak/ts/asgn signed REST client, adapter and settings.

Vendor facts: ``docs/vendors/mettl.md``.
"""

from __future__ import annotations

from plugin.vendors.mettl.adapter import MettlAdapter
from plugin.vendors.mettl.client import MettlClient
from plugin.vendors.mettl.config import MettlConfig
from plugin.vendors.mettl.errors import error_for

__all__ = ["MettlAdapter", "MettlClient", "MettlConfig", "error_for"]
