"""A proctored assessment: the learner gets the ProctorExam session and the exam link."""

from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import select

from plugin.sandbox.browser import SandboxBrowser
from plugin.sandbox.lms import SandboxCourse
from plugin.sandbox.lms import SandboxLms
from plugin.sandbox.server import serve_app
from plugin.sandbox.vendors.imocha import create_imocha_app
from plugin.sandbox.vendors.proctorexam import create_proctorexam_app
from plugin.services import services
from plugin.store.models import Attempt
from tests.e2e.conftest import Registration
from tests.e2e.conftest import RunningTool

pytestmark = pytest.mark.e2e


def test_proctored_launch_starts_both_sessions(
    lms: SandboxLms, tool: RunningTool, registration: Registration, course: SandboxCourse
) -> None:
    with (
        serve_app(create_imocha_app(api_key="im-key")) as imocha,
        serve_app(create_proctorexam_app(api_token="pe-token", secret_key="pe-secret")) as proctor,
    ):
        test = requests.post(
            f"{imocha.url}/sandbox/tests", json={"title": "Python"}, timeout=5
        ).json()
        exam = requests.post(
            f"{proctor.url}/sandbox/exams", json={"name": "Python proctored"}, timeout=5
        ).json()
        connections = services(tool.app).vendor_connections
        connections.add("imocha", "im", {"api_key": "im-key", "base_url": imocha.url})
        connections.add(
            "proctorexam",
            "pe",
            {"api_token": "pe-token", "secret_key": "pe-secret", "base_url": proctor.url},
        )
        test_id = str(test.get("testId") or test.get("id"))
        exam_id = str(exam.get("id") or exam.get("exam", {}).get("id"))
        assessment = services(tool.app).assessments.add(
            connection="im", test_id=test_id, proctoring=f"pe:{exam_id}"
        )
        prepared = lms.launch(
            client_id=registration.client_id,
            user_id=course.learner_id,
            context_id=course.context_id,
            resource_link_id=course.resource_link_id,
            custom={"assessment": str(assessment.id)},
        )
        page = SandboxBrowser().run_launch(prepared["login_initiation"])
    assert page.status_code == 200, page.text
    assert "Start the proctoring session" in page.text and "Open the assessment" in page.text
    links = re.findall(r'href="([^"]+)"', page.text)
    assert any(link.startswith(proctor.url) for link in links)
    assert any(link.startswith(imocha.url) for link in links)
    with services(tool.app).sessions() as session:
        attempt = session.scalars(select(Attempt)).one()
    assert attempt.vendor_ref and attempt.proctoring_ref and attempt.status == "started"
