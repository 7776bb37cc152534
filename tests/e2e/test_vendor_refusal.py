"""A vendor that refuses to open an attempt: the learner sees our sentence and an error id,
and the vendor's own words are in the tool's log under that id only."""

from __future__ import annotations

import logging
import re
import typing as t

import pytest

from plugin.attempts.start import VENDOR_REFUSED
from plugin.sandbox.browser import SandboxBrowser
from plugin.services import services
from tests.e2e.mettl_class import mettl_class

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Flask

    from plugin.sandbox.lms import SandboxCourse
    from plugin.sandbox.lms import SandboxLms
    from plugin.sandbox.server import ServedApp
    from tests.e2e.conftest import Registration
    from tests.e2e.conftest import RunningTool

pytestmark = pytest.mark.e2e

#: A schedule Mettl does not have: it answers with its own text, naming the access key.
UNKNOWN_SCHEDULE = "acme-eu-hiring-2024"


def test_a_vendor_refusal_shows_the_learner_an_error_id_and_logs_the_vendors_words(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
    caplog: pytest.LogCaptureFixture,
) -> None:
    klass = mettl_class(lms, tool, registration, course, serve)
    missing = services(tool.app).assessments.add(
        connection=klass.connection.name, test_id=UNKNOWN_SCHEDULE, title="Gone"
    )
    prepared = lms.launch(
        client_id=registration.client_id,
        user_id=course.learner_id,
        context_id=course.context_id,
        resource_link_id=course.resource_link_id,
        custom={"assessment": str(missing.id)},
    )

    with caplog.at_level(logging.WARNING, logger="plugin.web.errors"):
        page = SandboxBrowser().run_launch(prepared["login_initiation"])

    assert page.status_code == 502, page.text[:500]
    assert VENDOR_REFUSED in page.text
    error_id = re.search(r"error id <code>([0-9a-f]{12})</code>", page.text)
    assert error_id is not None, page.text
    for leaked in (UNKNOWN_SCHEDULE, "schedule", "mettl:", klass.sim_url):
        assert leaked not in page.text
    (logged,) = [
        r.getMessage()
        for r in caplog.records
        if r.name == "plugin.web.errors" and f"[{error_id[1]}]" in r.getMessage()
    ]
    assert UNKNOWN_SCHEDULE in logged
