"""Sinks that write results into applicant tracking systems (Greenhouse, Workable, a
signed webhook), behind the one interface of :mod:`plugin.ats.base`."""
