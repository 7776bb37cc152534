"""A strict local simulator of the ExamSpark (Campfire Learning) REST API and Exam Player."""

from __future__ import annotations

from plugin.sandbox.vendors.examspark.app import create_examspark_app
from plugin.sandbox.vendors.examspark.context import player_url

__all__ = ["create_examspark_app", "player_url"]
