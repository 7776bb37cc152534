"""A strict local stand-in for the ProctorExam v3 API and its student exam room."""

from __future__ import annotations

from plugin.sandbox.vendors.proctorexam.app import create_proctorexam_app

__all__ = ["create_proctorexam_app"]
