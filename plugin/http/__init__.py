"""Outgoing HTTP plumbing shared by the vendor connectors and the ATS connections:
pooled sessions with timeouts (:mod:`.sessions`) and the checks of configured URLs
(:mod:`.urls`). Nothing here knows a vendor; typed vendor failures live in
:mod:`plugin.vendors.errors`."""
