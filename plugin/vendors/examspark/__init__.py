"""ExamSpark (Campfire Learning): REST client, grade-passback verification and adapter."""

from __future__ import annotations

from plugin.vendors.examspark.adapter import ExamSparkAdapter
from plugin.vendors.examspark.client import ExamSparkClient
from plugin.vendors.examspark.config import ExamSparkConfig
from plugin.vendors.examspark.outcomes import render_pox_response
from plugin.vendors.examspark.signals import SignalAnswer
from plugin.vendors.examspark.verification import NonceStore

__all__ = [
    "ExamSparkAdapter",
    "ExamSparkClient",
    "ExamSparkConfig",
    "NonceStore",
    "SignalAnswer",
    "render_pox_response",
]
