"""A strict local stand-in for the StartExam API, its candidate pages and its callback redirect."""

from __future__ import annotations

from plugin.sandbox.vendors.startexam.app import create_startexam_app

__all__ = ["create_startexam_app"]
