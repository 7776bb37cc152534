"""Strict local simulators of the applicant tracking systems."""
