"""iMocha (InterviewMocha) connector: X-API-KEY REST client, adapter and settings.

Vendor facts: ``docs/vendors/imocha.md`` (the test report: ``docs/vendors/imocha.md#results``).
"""

from __future__ import annotations

from plugin.vendors.imocha.adapter import IMochaAdapter
from plugin.vendors.imocha.client import IMochaClient
from plugin.vendors.imocha.config import IMochaConfig
from plugin.vendors.imocha.errors import error_for

__all__ = ["IMochaAdapter", "IMochaClient", "IMochaConfig", "error_for"]
