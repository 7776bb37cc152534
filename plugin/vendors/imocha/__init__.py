"""iMocha (InterviewMocha) connector: X-API-KEY REST client, adapter and settings.

Vendor facts: ``vendors.md`` section 4 and seed 003 ("Retrieve candidate test report").
"""

from __future__ import annotations

from plugin.vendors.imocha.adapter import IMochaAdapter
from plugin.vendors.imocha.client import IMochaClient
from plugin.vendors.imocha.config import IMochaConfig
from plugin.vendors.imocha.errors import error_for

__all__ = ["IMochaAdapter", "IMochaClient", "IMochaConfig", "error_for"]
