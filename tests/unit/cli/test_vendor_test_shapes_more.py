"""``vendor test`` against iMocha's test list and ProctorExam's exam list in every plausible
form (their docs show neither body): each is read with a warning naming the form, the
documented form without one, credentials are reported apart from the catalogue, and
``vendor tests`` reads the same forms.  (StartExam and ExamSpark: ``test_vendor_test_shapes``.)"""

from __future__ import annotations

import json
import typing as t

import pytest
import requests
from click.testing import CliRunner
from click.testing import Result

from plugin.cli import main
from plugin.sandbox.server import ServedApp
from plugin.sandbox.server import serve_app
from plugin.sandbox.vendors.imocha import create_imocha_app
from plugin.sandbox.vendors.proctorexam import create_proctorexam_app
from tests.support.hostile_server import Answer
from tests.support.hostile_server import hostile_server

IMOCHA_OK = ["--api-key", "im-secret"]
PROCTOREXAM_OK = ["--api-token", "pe-token", "--secret-key", "pe-secret"]
#: iMocha's test list in each form the simulator can answer besides ours, and how the
#: warning names it; every form but the bare list carries ``total``.
IMOCHA_FORMS = {
    "result.items": "a list under 'items' inside 'result'",
    "result.data": "a list under 'data' inside 'result'",
    "result": "a list under 'result'",
    "tests": "a list under 'tests'",
    "items": "a list under 'items'",
    "data": "a list under 'data'",
    "bare": "a bare list",
}
PROCTOREXAM_FORMS = {
    "items": "a list under 'items'",
    "data": "a list under 'data'",
    "result": "a list under 'result'",
    "bare": "a bare list",
}
PAGINATION = {
    "X-Pagination-Page": "1",
    "X-Pagination-Page-Count": "1",
    "X-Pagination-Item-Count": "1",
    "X-Pagination-Limit": "1",
}


@pytest.fixture
def run(base_settings: dict[str, str]) -> t.Callable[..., Result]:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), env=base_settings, catch_exceptions=False)

    return invoke


@pytest.fixture
def imocha() -> t.Iterator[ServedApp]:
    with serve_app(create_imocha_app(api_key="im-secret")) as served:
        requests.post(f"{served.url}/sandbox/tests", json={"name": "Algebra"}, timeout=5)
        yield served


@pytest.fixture
def proctorexam() -> t.Iterator[ServedApp]:
    app = create_proctorexam_app(api_token="pe-token", secret_key="pe-secret")
    with serve_app(app) as served:
        requests.post(f"{served.url}/sandbox/exams", json={"name": "Algebra"}, timeout=5)
        yield served


def add(run: t.Callable[..., Result], kind: str, url: str, *options: str) -> None:
    added = run("vendor", "add", kind, "--name", "conn", "--base-url", url, *options)
    assert added.exit_code == 0, added.output


def answer_in(sim: ServedApp, shape: str) -> None:
    answer = requests.put(f"{sim.url}/sandbox/settings", json={"answerShape": shape}, timeout=5)
    answer.raise_for_status()


def listed_titles(run: t.Callable[..., Result]) -> list[str]:
    listed = run("vendor", "tests", "conn", "--json")
    assert listed.exit_code == 0, listed.output
    return [test["title"] for test in json.loads(listed.stdout)]


@pytest.mark.parametrize("shape", sorted(IMOCHA_FORMS))
def test_imocha_test_list_in_any_plausible_form_passes_with_a_warning(
    run: t.Callable[..., Result], imocha: ServedApp, shape: str
) -> None:
    answer_in(imocha, shape)
    add(run, "imocha", imocha.url, *IMOCHA_OK)
    result = run("vendor", "test", "conn")
    assert result.exit_code == 0, result.output
    catalogue = "its tests (no total given)" if shape == "bare" else "1 tests"
    assert result.stdout.splitlines() == [
        "credentials: accepted (iMocha API key)",
        f"catalogue: {catalogue}",
    ]
    assert result.stderr == (
        f"warning: iMocha answered GET /v3/tests with {IMOCHA_FORMS[shape]};"
        " read as the test list\n"
    )
    assert listed_titles(run) == ["Algebra"]


def test_imocha_documented_test_list_passes_without_a_warning(
    run: t.Callable[..., Result], imocha: ServedApp
) -> None:
    answer_in(imocha, "result.tests")
    add(run, "imocha", imocha.url, *IMOCHA_OK)
    result = run("vendor", "test", "conn", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and report["warnings"] == [] and report["catalogue"] == "1 tests"
    assert result.stderr == ""
    assert listed_titles(run) == ["Algebra"]


@pytest.mark.parametrize("shape", sorted(PROCTOREXAM_FORMS))
def test_proctorexam_exam_list_in_any_plausible_form_passes_with_a_warning(
    run: t.Callable[..., Result], proctorexam: ServedApp, shape: str
) -> None:
    answer_in(proctorexam, shape)
    add(run, "proctorexam", proctorexam.url, *PROCTOREXAM_OK)
    result = run("vendor", "test", "conn")
    assert result.exit_code == 0, result.output
    host = proctorexam.url.split("://", 1)[1]
    assert result.stdout.splitlines() == [
        f"credentials: accepted (ProctorExam {host})",
        "catalogue: 1 exams",
    ]
    assert result.stderr == (
        f"warning: ProctorExam answered GET /exams with {PROCTOREXAM_FORMS[shape]};"
        " read as the exam list\n"
    )
    assert listed_titles(run) == ["Algebra"]


def test_proctorexam_documented_exam_list_passes_without_a_warning(
    run: t.Callable[..., Result], proctorexam: ServedApp
) -> None:
    answer_in(proctorexam, "exams")
    add(run, "proctorexam", proctorexam.url, *PROCTOREXAM_OK)
    result = run("vendor", "test", "conn", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and report["warnings"] == [] and report["catalogue"] == "1 exams"
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("kind", "options"),
    [("imocha", ["--api-key", "wrong"]),
     ("proctorexam", ["--api-token", "pe-token", "--secret-key", "wrong"]),
     ("proctorexam", ["--api-token", "wrong", "--secret-key", "pe-secret"])],
)  # fmt: skip
def test_refused_credentials_fail_whatever_the_answer_shape(
    run: t.Callable[..., Result],
    imocha: ServedApp,
    proctorexam: ServedApp,
    kind: str,
    options: list[str],
) -> None:
    sim = imocha if kind == "imocha" else proctorexam
    answer_in(sim, "bare")
    add(run, kind, sim.url, *options)
    result = run("vendor", "test", "conn")
    assert result.exit_code == 1, result.output
    assert "Error: credentials: refused — " in result.stderr
    assert "credentials: accepted" not in result.stdout and "catalogue:" not in result.stdout


@pytest.mark.parametrize(
    ("kind", "options", "answer", "described"),
    [
        ("imocha", IMOCHA_OK, Answer.json({"result": {"tests": [{"testName": "no id"}]}}),
         "answered GET /v3/tests with an object with keys 'result'; inside 'result', an object"
         " with keys 'tests'; a bare list of 1"
         " item(s), 1 without 'testId' under 'tests'; that is not the test list (objects that"
         " each have 'testId') in any plausible form (a list under 'tests', 'items' or 'data'"
         " inside 'result', a bare list, or a list under 'result', 'tests', 'items' or 'data')"),
        ("imocha", IMOCHA_OK, Answer.json({"result": None, "errors": ["quota"]}),
         "answered GET /v3/tests with an object with keys 'result', 'errors'; null under"
         " 'result'; that is not the test list"),
        ("proctorexam", PROCTOREXAM_OK, Answer.json([{"name": "no id"}], headers=PAGINATION),
         "answered GET /exams with a bare list of 1 item(s), 1 without 'id'; that is not the"
         " exam list (objects that each have 'id') in any plausible form (a bare list, or a"
         " list under 'exams', 'items', 'data' or 'result')"),
        ("proctorexam", PROCTOREXAM_OK, Answer.json({"count": 1}, headers=PAGINATION),
         "answered GET /exams with an object with keys 'count'; that is not the exam list"),
    ],
)  # fmt: skip
def test_an_answer_unreadable_in_every_form_fails_and_is_described(
    run: t.Callable[..., Result], kind: str, options: list[str], answer: Answer, described: str
) -> None:
    with hostile_server() as vendor:
        vendor.default = answer
        add(run, kind, vendor.url, *options)
        result = run("vendor", "test", "conn")
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("credentials: accepted")
    assert "Error: catalogue: unreadable — " in result.stderr and described in result.stderr


@pytest.mark.parametrize("kind", ["imocha", "proctorexam"])
def test_the_simulators_refuse_an_unknown_answer_shape(
    imocha: ServedApp, proctorexam: ServedApp, kind: str
) -> None:
    sim = imocha if kind == "imocha" else proctorexam
    answer = requests.put(f"{sim.url}/sandbox/settings", json={"answerShape": "xml"}, timeout=5)
    assert answer.status_code == 400 and "answerShape must be one of" in answer.text
