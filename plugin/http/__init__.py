"""Outgoing HTTP plumbing shared by the vendor connectors and the ATS connections:
pooled sessions with timeouts and a bound on every answer they read (:mod:`.sessions`)
and the checks of configured URLs (:mod:`.urls`). Nothing here knows a vendor; typed
vendor failures live in :mod:`plugin.vendors.errors`."""
