"""StartExam (api.startexam.com): SharedKey-signed client, adapter and settings."""

from __future__ import annotations

from plugin.vendors.startexam.adapter import StartExamAdapter
from plugin.vendors.startexam.client import StartExamClient
from plugin.vendors.startexam.config import StartExamConfig
from plugin.vendors.startexam.errors import error_for

__all__ = ["StartExamAdapter", "StartExamClient", "StartExamConfig", "error_for"]
