"""A course whose learners take a Mettl schedule through the tool, for the sync tests:
the sandbox LMS, the Mettl simulator and the tool, all over real HTTP."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
import typing as t

import requests
from sqlalchemy import select
from sqlalchemy import update

from plugin.sandbox.browser import SandboxBrowser
from plugin.sandbox.vendors.mettl import create_mettl_app
from plugin.services import services
from plugin.store.models import Attempt
from plugin.store.models import Delivery
from tests.e2e.vendor_sims import answer_form
from tests.e2e.vendor_sims import control

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Flask

    from plugin.sandbox.lms import SandboxCourse
    from plugin.sandbox.lms import SandboxLms
    from plugin.sandbox.server import ServedApp
    from plugin.vendors.connections import VendorConnectionInfo
    from plugin.vendors.connections import VendorConnectionService
    from tests.e2e.conftest import Registration
    from tests.e2e.conftest import RunningTool

SECRET = "mettl-private-key"
#: Four one-mark questions whose right answer is the first choice.
SECTIONS = [
    {
        "name": "Basics",
        "questions": [
            {"text": f"Question {n}", "choices": ["right", "wrong", "other"], "answer": 0}
            for n in range(4)
        ],
    }
]


def answers(right: int) -> dict[str, str]:
    """Form answers with the first ``right`` of the four questions right."""
    return {f"q{n}": "0" if n < right else "1" for n in range(4)}


@dataclasses.dataclass
class MettlClass:
    lms: SandboxLms
    tool: RunningTool
    registration: Registration
    course: SandboxCourse
    sim_url: str
    connection: VendorConnectionInfo
    assessment_id: int
    access_key: str

    def add_learner(self, name: str, email: str) -> str:
        user = self.lms.add_user(name, email=email)
        self.lms.enrol(self.course.context_id, user["id"], ["Learner"])
        return str(user["id"])

    def start(self, user_id: str) -> tuple[SandboxBrowser, requests.Response]:
        """Launch ``user_id`` into the assessment; the browser ends on Mettl's test page."""
        prepared = self.lms.launch(
            client_id=self.registration.client_id,
            user_id=user_id,
            context_id=self.course.context_id,
            resource_link_id=self.course.resource_link_id,
            custom={"assessment": str(self.assessment_id)},
        )
        browser = SandboxBrowser()
        page = browser.run_launch(prepared["login_initiation"])
        assert page.status_code == 200 and page.url.startswith(self.sim_url), page.text[:300]
        return browser, page

    def finish(self, browser: SandboxBrowser, page: requests.Response, right: int) -> None:
        questions = browser.submit_first_form(page)
        finished = answer_form(browser, questions, answers(right))
        assert finished.status_code == 200 and "Test finished" in finished.text

    def take(self, user_id: str, right: int) -> None:
        browser, page = self.start(user_id)
        self.finish(browser, page, right)

    def notify(self, *, enabled: bool) -> None:
        """Point the schedule's finish/graded notifications at the tool, or switch them off."""
        url = f"{self.connection.callback_url}&accessKey={self.access_key}" if enabled else ""
        control(
            self.sim_url,
            "PUT",
            f"/sandbox/schedules/{self.access_key}/settings",
            {"testFinishNotificationUrl": url, "testGradedNotificationUrl": url},
        )

    def webhook(self, email: str, event: str = "finishTest") -> requests.Response:
        """Post the notification Mettl sends, as Mettl would (for a duplicate or an early one)."""
        body = {
            "EVENT_TYPE": event,
            "invitation_key": self.access_key,
            "email": email,
            "timestamp": dt.datetime.now(dt.UTC).isoformat(),
        }
        url = f"{self.connection.callback_url}&accessKey={self.access_key}"
        return requests.post(url, json=body, timeout=10)

    def grades(self) -> dict[str, dict[str, t.Any]]:
        """The latest gradebook score per LMS user id."""
        scores = self.lms.gradebook(self.course.context_id)["scores"]
        return {score["userId"]: score for score in scores}


def mettl_class(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
    *,
    notify: bool = True,
) -> MettlClass:
    sim = serve(create_mettl_app(public_key="public-key", private_key=SECRET))
    service: VendorConnectionService = services(tool.app).vendor_connections
    connection = service.add(
        "mettl", "mettl", {"public_key": "public-key", "private_key": SECRET, "base_url": sim.url}
    )
    schedule = {"name": "Aptitude", "sections": SECTIONS}
    key = control(sim.url, "POST", "/sandbox/schedules", schedule)["accessKey"]
    assessment = services(tool.app).assessments.add(
        connection=connection.name, test_id=key, title="Aptitude"
    )
    built = MettlClass(lms, tool, registration, course, sim.url, connection, assessment.id, key)
    built.notify(enabled=notify)
    return built


def attempt_rows(app: Flask) -> list[Attempt]:
    with services(app).sessions() as session:
        return list(session.scalars(select(Attempt).order_by(Attempt.id)))


def delivery_rows(app: Flask, target: str | None = None) -> list[Delivery]:
    query = select(Delivery).order_by(Delivery.id)
    if target is not None:
        query = query.where(Delivery.target == target)
    with services(app).sessions() as session:
        return list(session.scalars(query))


def age_syncs(app: Flask, by: dt.timedelta) -> None:
    """Move every attempt's last sync back in time, as if ``by`` had passed."""
    with services(app).sessions.begin() as session:
        for attempt in session.scalars(select(Attempt).where(Attempt.synced_at.is_not(None))):
            assert attempt.synced_at is not None
            session.execute(
                update(Attempt)
                .where(Attempt.id == attempt.id)
                .values(synced_at=attempt.synced_at - by)
            )


def sweep_until(app: Flask, done: Callable[[], bool], seconds: float = 30.0) -> None:
    """Run the periodic sweep until ``done``, as if a minute passed between runs."""
    from plugin.jobs import tasks as jobs

    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            rows = [(d.target, d.status, d.last_error) for d in delivery_rows(app)]
            raise AssertionError(f"not done within {seconds}s; deliveries: {rows}")
        age_syncs(app, dt.timedelta(minutes=1))
        with app.app_context():
            jobs.sweep.call_local()
        time.sleep(0.05)
