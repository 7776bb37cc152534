"""Vendor connectors: one client, one adapter per vendor, behind :mod:`plugin.vendors.base`."""
