"""ProctorExam (v3 API): token + HMAC-signed client, adapter and settings."""

from __future__ import annotations

from plugin.vendors.proctorexam.adapter import ProctorExamAdapter
from plugin.vendors.proctorexam.client import ProctorExamClient
from plugin.vendors.proctorexam.config import ProctorExamConfig
from plugin.vendors.proctorexam.errors import error_for

__all__ = ["ProctorExamAdapter", "ProctorExamClient", "ProctorExamConfig", "error_for"]
