"""The root of the application's own exceptions."""

from __future__ import annotations


class AppError(Exception):
    """Something the application refuses or cannot do, with a message a person can act on."""
