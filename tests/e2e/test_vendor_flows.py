"""One learner's trip through each vendor over real HTTP on 127.0.0.1.

Sandbox LMS launch -> the tool records the attempt and sends the browser to the vendor
simulator -> the learner finishes the exam there -> the vendor's own completion signal
reaches the tool and is recorded against the attempt -> the tool's adapter fetches the
authoritative result, which maps to a completed result, and lists the attempt for
reconciliation.
"""

from __future__ import annotations

import typing as t
import urllib.parse
from decimal import Decimal

import pytest
import requests

from mappings.registry import load_result
from mappings.result import ResultStatus
from plugin.sandbox.browser import SandboxBrowser
from plugin.sandbox.vendors.examspark import create_examspark_app
from plugin.sandbox.vendors.examspark import player_url
from plugin.sandbox.vendors.examspark.sdk import SCRIPT_PATH
from plugin.sandbox.vendors.examspark.sdk import script_integrity
from plugin.sandbox.vendors.imocha import create_imocha_app
from plugin.sandbox.vendors.mettl import create_mettl_app
from plugin.sandbox.vendors.proctorexam import create_proctorexam_app
from plugin.sandbox.vendors.startexam import create_startexam_app
from plugin.services import services
from plugin.vendors.base import Learner
from plugin.vendors.base import StartRequest
from tests.e2e.profiles import on_every_lms_profile  # noqa: F401 - runs on every profile
from tests.e2e.vendor_sims import all_changes
from tests.e2e.vendor_sims import answer_form
from tests.e2e.vendor_sims import attempts
from tests.e2e.vendor_sims import control
from tests.e2e.vendor_sims import embed_of
from tests.e2e.vendor_sims import launch_to
from tests.e2e.vendor_sims import signals
from tests.e2e.vendor_sims import wait_for_grade
from tests.e2e.vendor_sims import wait_for_signals
from tests.e2e.vendor_sims import wait_until_listed
from tests.support.tokens import attempt_token

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Flask

    from mappings.result import AssessmentResult
    from plugin.attempts.assessments import AssessmentService
    from plugin.sandbox.lms import SandboxCourse
    from plugin.sandbox.lms import SandboxLms
    from plugin.sandbox.server import ServedApp
    from plugin.store.models import Attempt
    from plugin.vendors.connections import VendorConnectionInfo
    from plugin.vendors.connections import VendorConnectionService
    from tests.e2e.conftest import Registration
    from tests.e2e.conftest import RunningTool

pytestmark = pytest.mark.e2e


SECRET = "vendor-secret-value"
#: Four one-mark questions whose right answer is the first choice (Mettl and iMocha).
SECTIONS = [
    {
        "name": "Basics",
        "questions": [
            {"text": f"Question {n}", "choices": ["right", "wrong", "other"], "answer": 0}
            for n in range(4)
        ],
    }
]
#: Three of the four questions above answered right.
THREE_OF_FOUR = {"q0": "0", "q1": "0", "q2": "0", "q3": "1"}


def connections(tool: RunningTool) -> VendorConnectionService:
    service: VendorConnectionService = services(tool.app).vendor_connections
    return service


def assessment_for(tool: RunningTool, connection: VendorConnectionInfo, test_id: str) -> int:
    service: AssessmentService = services(tool.app).assessments
    return service.add(connection=connection.name, test_id=test_id, title="Final exam").id


def completed_result(
    tool: RunningTool, connection: VendorConnectionInfo, attempt: Attempt, test_id: str
) -> AssessmentResult:
    """The attempt's result as the tool's adapter fetches and maps it."""
    assert attempt.vendor_ref is not None
    raw = connections(tool).adapter(connection.id).fetch_result(attempt.vendor_ref, test_id=test_id)
    assert raw.vendor_ref == attempt.vendor_ref
    result = load_result(connection.kind, raw.payload)
    assert result.status is ResultStatus.COMPLETED
    return result


def listed(tool: RunningTool, connection: VendorConnectionInfo) -> set[str]:
    """The vendor references of one reconciliation listing, from the start to its end."""
    changed, _ = all_changes(connections(tool).adapter(connection.id))
    return {item.vendor_ref for item in changed}


def assert_graded(lms: SandboxLms, course: SandboxCourse, result: AssessmentResult) -> None:
    """The learner's gradebook score is the vendor's percentage, fully graded."""
    score = wait_for_grade(lms, course, lambda s: s["gradingProgress"] == "FullyGraded")
    assert result.percent is not None
    assert (score["scoreGiven"], score["scoreMaximum"]) == (float(result.percent), 100.0)
    assert score["activityProgress"] == "Completed"


def only_attempt(tool: RunningTool, page: requests.Response) -> Attempt:
    (attempt,) = attempts(tool.app)
    assert attempt.vendor_ref and attempt.status == "started", page.text[:500]
    return attempt


def startexam_setup(
    tool: RunningTool, serve: Callable[[Flask], ServedApp]
) -> tuple[ServedApp, VendorConnectionInfo, dict[str, t.Any]]:
    sim = serve(create_startexam_app(account_id="1234", secret_key=SECRET))
    info = control(sim.url, "GET", "/sandbox/info")
    settings = {
        "account_id": "1234",
        "secret_key": SECRET,
        "center": info["center"],
        "base_url": sim.url,
        "candidate_url_template": info["candidateUrlTemplate"],
    }
    connection = connections(tool).add("startexam", "startexam", settings)
    assert connection.browser_url is not None
    control(sim.url, "PUT", "/sandbox/callback", {"url": connection.browser_url})
    return sim, connection, control(sim.url, "POST", "/sandbox/tests", {"title": "Algebra"})


def test_startexam_candidate_page_redirects_back_to_the_bridge(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    sim, connection, exam = startexam_setup(tool, serve)
    browser = SandboxBrowser()
    page = launch_to(
        browser, lms, registration, course, assessment_for(tool, connection, exam["testId"])
    )
    attempt = only_attempt(tool, page)
    assert page.status_code == 200 and page.url == attempt.redirect_url
    assert page.url.startswith(f"{sim.url}/go/")

    right = {f"q{q['num']}": str(q["correct"]) for q in exam["questions"][:-1]}
    back = answer_form(browser, page, right)
    # The redirect lands on the callback, which sends the browser to the result page.
    assert (
        back.status_code == 200
        and back.url == f"{tool.url}/return/{attempt_token(tool.app, attempt)}/result"
    )
    assert "Your grade is in the course gradebook" in back.text

    (signal,) = wait_for_signals(tool.app, attempt.id, bool)
    assert (signal.kind, signal.vendor_ref, signal.authenticated) == (
        "return",
        attempt.vendor_ref,
        False,
    )
    result = completed_result(tool, connection, attempt, exam["testId"])
    assert attempt.vendor_ref in listed(tool, connection)
    expected = sum(Decimal(str(q["max"])) for q in exam["questions"][:-1])
    assert (result.score, result.max_score) == (expected, Decimal(str(exam["maxScore"])))
    assert_graded(lms, course, result)
    assert result.percent is not None and f"({result.percent.normalize():f}%)" in back.text


def test_examspark_player_event_and_grade_passback_reach_the_bridge(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    sim = serve(create_examspark_app(app_key="app-key", app_secret=SECRET, workspace_id="district"))
    settings = {
        "app_key": "app-key",
        "app_secret": SECRET,
        "workspace_id": "district",
        "base_url": sim.url,
        "sdk_script_url": sim.url + SCRIPT_PATH,
        "sdk_script_integrity": script_integrity(),
    }
    connection = connections(tool).add("examspark", "examspark", settings)
    config = control(sim.url, "POST", "/sandbox/exam-configs", {"questions": 4})["examConfig"]
    browser = SandboxBrowser()
    page = launch_to(
        browser, lms, registration, course, assessment_for(tool, connection, config["id"])
    )
    attempt = only_attempt(tool, page)
    assert page.status_code == 200 and page.url == f"{tool.url}/lti/launch"
    embed = embed_of(page.text)
    assert embed["exam_session_id"] == attempt.vendor_ref
    assert embed["event_url"] == f"{tool.url}/return/{attempt_token(tool.app, attempt)}"
    callback_secret = urllib.parse.parse_qs(urllib.parse.urlsplit(connection.callback_url).query)
    assert callback_secret["token"][0] not in page.text

    # In a browser the SDK player raises its event in our page, which posts it to event_url.
    control(sim.url, "PUT", "/sandbox/settings", {"callback_url": embed["event_url"]})
    exam = browser.get(player_url(sim.url, embed["options"]))
    right = {f"item-{item['id']}": str(item["key"]) for item in config["items"][:-1]}
    submitted = answer_form(browser, exam, right)
    relayed = browser.submit_first_form(submitted)
    assert relayed.status_code == 200 and relayed.json()["status"] == "success"

    rows = wait_for_signals(
        tool.app, attempt.id, lambda rows: {"player", "webhook"} <= {r.kind for r in rows}
    )
    by_kind = {row.kind: row for row in rows}
    assert by_kind["player"].authenticated is False
    assert by_kind["webhook"].authenticated is True
    # The passback names the attempt by its token (lis_result_sourcedid), not the session.
    assert by_kind["player"].vendor_ref == attempt.vendor_ref
    result = completed_result(tool, connection, attempt, config["id"])
    assert attempt.vendor_ref in listed(tool, connection)
    assert result.percent == Decimal(75)
    assert_graded(lms, course, result)


def test_mettl_notifications_reach_the_bridge(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    sim = serve(create_mettl_app(public_key="public-key", private_key=SECRET))
    settings = {"public_key": "public-key", "private_key": SECRET, "base_url": sim.url}
    connection = connections(tool).add("mettl", "mettl", settings)
    schedule = {"name": "Aptitude", "sections": SECTIONS}
    key = control(sim.url, "POST", "/sandbox/schedules", schedule)["accessKey"]
    notify = f"{connection.callback_url}&accessKey={key}"
    control(
        sim.url,
        "PUT",
        f"/sandbox/schedules/{key}/settings",
        {"testFinishNotificationUrl": notify, "testGradedNotificationUrl": notify},
    )
    browser = SandboxBrowser()
    page = launch_to(browser, lms, registration, course, assessment_for(tool, connection, key))
    attempt = only_attempt(tool, page)
    assert page.status_code == 200 and page.url == attempt.redirect_url

    questions = browser.submit_first_form(page)
    finished = answer_form(browser, questions, THREE_OF_FOUR)
    assert finished.status_code == 200 and "Test finished" in finished.text

    rows = wait_for_signals(
        tool.app,
        attempt.id,
        lambda rows: {"finishTest", "gradedAssessment"} <= {r.status_hint for r in rows},
    )
    assert {(row.kind, row.vendor_ref) for row in rows} == {("webhook", attempt.vendor_ref)}
    result = completed_result(tool, connection, attempt, key)
    assert attempt.vendor_ref in listed(tool, connection)
    assert (result.score, result.max_score) == (Decimal(3), Decimal(4))
    assert_graded(lms, course, result)


def test_imocha_callbacks_and_redirect_reach_the_bridge(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    sim = serve(create_imocha_app(api_key=SECRET))
    connection = connections(tool).add("imocha", "imocha", {"api_key": SECRET, "base_url": sim.url})
    test = control(sim.url, "POST", "/sandbox/tests", {"name": "Python", "sections": SECTIONS})
    test_id = str(test["testId"])
    browser = SandboxBrowser()
    page = launch_to(browser, lms, registration, course, assessment_for(tool, connection, test_id))
    attempt = only_attempt(tool, page)
    assert page.status_code == 200 and page.url == attempt.redirect_url

    questions = browser.submit_first_form(page)
    back = answer_form(browser, questions, THREE_OF_FOUR)
    assert back.url == f"{tool.url}/return/{attempt_token(tool.app, attempt)}/result"
    assert "Your result" in back.text or "Your attempt has been submitted" in back.text

    rows = wait_for_signals(
        tool.app,
        attempt.id,
        lambda rows: (
            "Complete" in {r.status_hint for r in rows} and "return" in {r.kind for r in rows}
        ),
    )
    hints = [row.status_hint for row in rows if row.kind == "callback"]
    assert hints == ["In Progress", "Complete"]
    assert {row.vendor_ref for row in rows} == {attempt.vendor_ref}
    result = completed_result(tool, connection, attempt, test_id)
    # Retrieve Invites takes whole seconds and a sweep's window ends at the current
    # second, so a test finished within that second is listed by a later sweep.
    assert attempt.vendor_ref is not None
    wait_until_listed(connections(tool).adapter(connection.id), attempt.vendor_ref)
    assert (result.score, result.max_score) == (Decimal(3), Decimal(4))
    assert_graded(lms, course, result)


def test_proctorexam_completion_is_found_by_polling(
    tool: RunningTool, serve: Callable[[Flask], ServedApp]
) -> None:
    sim = serve(create_proctorexam_app(api_token="api-token", secret_key=SECRET))
    info = control(sim.url, "GET", "/sandbox/info")
    settings = {
        "api_token": "api-token",
        "secret_key": SECRET,
        "base_url": info["baseUrl"],
        "student_url_template": info["studentUrlTemplate"],
    }
    connection = connections(tool).add("proctorexam", "proctor", settings)
    exam_id = str(control(sim.url, "POST", "/sandbox/exams", {"name": "Proctored"})["id"])
    adapter = connections(tool).adapter(connection.id)
    learner = Learner(external_id="u-1", email="stu@example.org", given_name="Stu", family_name="D")
    request = StartRequest(
        "attempt-1", exam_id, learner, f"{tool.url}/return/attempt-1", connection.callback_url
    )
    started = adapter.start_attempt(request)
    assert started.redirect_url is not None

    before, cursor = all_changes(adapter)
    assert started.vendor_ref not in {item.vendor_ref for item in before}
    browser = SandboxBrowser()
    room = browser.get(started.redirect_url)
    ended = browser.submit_first_form(room)
    assert ended.status_code == 200 and "Your exam has ended" in ended.text

    after, _ = all_changes(adapter, cursor)
    assert (started.vendor_ref, "exam_finished") in {(i.vendor_ref, i.status) for i in after}
    raw = adapter.fetch_result(started.vendor_ref, test_id=exam_id)
    assert load_result("proctorexam", raw.payload).status is ResultStatus.COMPLETED


def test_a_relaunch_resumes_the_same_attempt(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    sim, connection, exam = startexam_setup(tool, serve)
    assessment = assessment_for(tool, connection, exam["testId"])
    first = launch_to(SandboxBrowser(), lms, registration, course, assessment)
    (attempt,) = attempts(tool.app)
    again = launch_to(SandboxBrowser(), lms, registration, course, assessment)
    (resumed,) = attempts(tool.app)
    assert (resumed.id, attempt_token(tool.app, resumed), resumed.vendor_ref) == (
        attempt.id,
        attempt_token(tool.app, attempt),
        attempt.vendor_ref,
    )
    assert first.url == again.url == attempt.redirect_url
    assert len(control(sim.url, "GET", "/sandbox/state")["participants"]) == 1


def test_a_callback_with_a_wrong_token_is_refused_and_records_nothing(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    _, connection, exam = startexam_setup(tool, serve)
    launch_to(
        SandboxBrowser(),
        lms,
        registration,
        course,
        assessment_for(tool, connection, exam["testId"]),
    )
    (attempt,) = attempts(tool.app)
    url = f"{tool.url}/callbacks/startexam/{connection.id}"
    wrong = {"token": "not-the-secret", "participantId": attempt.vendor_ref}
    answer = requests.get(url, params=wrong, timeout=5)
    assert answer.status_code == 404
    assert "not-the-secret" not in answer.text
    right_token_wrong_kind = (
        f"{tool.url}/callbacks/imocha/{connection.id}?"
        + urllib.parse.urlsplit(connection.callback_url).query
    )
    assert (
        requests.post(right_token_wrong_kind, json={"TestInvitationId": 1}, timeout=5).status_code
        == 404
    )
    assert signals(tool.app) == []


def test_a_launch_to_an_unknown_assessment_is_refused(
    lms: SandboxLms, tool: RunningTool, registration: Registration, course: SandboxCourse
) -> None:
    page = launch_to(SandboxBrowser(), lms, registration, course, 4040)
    assert page.status_code == 404
    assert "assessment 4040, which does not exist" in page.text
    assert page.url == f"{tool.url}/lti/launch"
    assert attempts(tool.app) == []
