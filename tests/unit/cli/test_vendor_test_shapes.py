"""``vendor test`` against answers whose shape the vendor's docs leave open: every
plausible form is read (with a warning naming it), credentials are reported apart from the
catalogue, and the listing used elsewhere reads the same forms."""

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
from plugin.sandbox.vendors.examspark import create_examspark_app
from plugin.sandbox.vendors.examspark.sdk import SCRIPT_PATH
from plugin.sandbox.vendors.examspark.sdk import script_integrity
from plugin.sandbox.vendors.startexam import create_startexam_app
from tests.support.hostile_server import Answer
from tests.support.hostile_server import hostile_server

STARTEXAM = ["--account-id", "77", "--center", "sandbox"]
EXAMSPARK = ["--app-key", "ak", "--workspace-id", "sandbox-district"]
#: StartExam's test list in each form the simulator can answer, and how the warning names it.
TEST_LIST_FORMS = {
    "bare": "a bare list",
    "items": "a list under 'items'",
    "data": "a list under 'data'",
    "result": "a list under 'result'",
}


@pytest.fixture
def run(base_settings: dict[str, str]) -> t.Callable[..., Result]:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), env=base_settings, catch_exceptions=False)

    return invoke


@pytest.fixture
def startexam() -> t.Iterator[ServedApp]:
    app = create_startexam_app(account_id="77", secret_key="se-secret", center="sandbox")
    with serve_app(app) as served:
        requests.post(f"{served.url}/sandbox/tests", json={"title": "Algebra"}, timeout=5)
        yield served


@pytest.fixture
def examspark() -> t.Iterator[ServedApp]:
    with serve_app(create_examspark_app(app_key="ak", app_secret="es-secret")) as served:
        yield served


def add(run: t.Callable[..., Result], kind: str, url: str, *options: str) -> None:
    if kind == "examspark":  # the simulator's SDK bundle, pinned as an admin must
        pin = ["--sdk-script-url", url + SCRIPT_PATH, "--sdk-script-integrity", script_integrity()]
        options = (*options, *pin)
    added = run("vendor", "add", kind, "--name", "conn", "--base-url", url, *options)
    assert added.exit_code == 0, added.output


def answer_in(sim: ServedApp, setting: dict[str, str]) -> None:
    requests.put(f"{sim.url}/sandbox/settings", json=setting, timeout=5).raise_for_status()


@pytest.mark.parametrize("shape", sorted(TEST_LIST_FORMS))
def test_startexam_test_list_in_any_plausible_form_passes_with_a_warning(
    run: t.Callable[..., Result], startexam: ServedApp, shape: str
) -> None:
    answer_in(startexam, {"answerShape": shape})
    add(run, "startexam", startexam.url, *STARTEXAM, "--secret-key", "se-secret")
    result = run("vendor", "test", "conn")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "credentials: accepted (StartExam account 77 (center sandbox))",
        "catalogue: 1 tests, 1 active",
    ]
    assert result.stderr == (
        f"warning: StartExam answered GET /v1/tests with {TEST_LIST_FORMS[shape]};"
        " read as the test list\n"
    )
    listed = json.loads(run("vendor", "tests", "conn", "--json").stdout)
    assert [test["title"] for test in listed] == ["Algebra"]


def test_startexam_documented_test_list_passes_without_a_warning(
    run: t.Callable[..., Result], startexam: ServedApp
) -> None:
    add(run, "startexam", startexam.url, *STARTEXAM, "--secret-key", "se-secret")
    result = run("vendor", "test", "conn", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["auth_ok"] and report["ok"] and report["warnings"] == []
    assert report["catalogue"] == "1 tests, 1 active" and result.stderr == ""


def test_the_json_report_carries_the_warning(
    run: t.Callable[..., Result], startexam: ServedApp
) -> None:
    answer_in(startexam, {"answerShape": "bare"})
    add(run, "startexam", startexam.url, *STARTEXAM, "--secret-key", "se-secret")
    result = run("vendor", "test", "conn", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["warnings"] == [
        "StartExam answered GET /v1/tests with a bare list; read as the test list"
    ]


def test_examspark_bare_workspace_passes_with_a_warning(
    run: t.Callable[..., Result], examspark: ServedApp
) -> None:
    answer_in(examspark, {"answer_shape": "bare"})
    add(run, "examspark", examspark.url, *EXAMSPARK, "--app-secret", "es-secret")
    result = run("vendor", "test", "conn")
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.splitlines()[1] == "catalogue: workspace Sandbox district (sandbox-district)"
    )
    assert result.stderr == (
        "warning: ExamSpark answered GET /api/workspace/sandbox-district with a bare object;"
        " read as the workspace\n"
    )


def test_examspark_wrapped_workspace_passes_without_a_warning(
    run: t.Callable[..., Result], examspark: ServedApp
) -> None:
    add(run, "examspark", examspark.url, *EXAMSPARK, "--app-secret", "es-secret")
    result = run("vendor", "test", "conn")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("credentials: accepted") and result.stderr == ""


@pytest.mark.parametrize(
    ("kind", "options"),
    [("startexam", [*STARTEXAM, "--secret-key", "wrong"]), ("examspark", [*EXAMSPARK, "--app-secret", "wrong"])],
)  # fmt: skip
def test_refused_credentials_fail_whatever_the_answer_shape(
    run: t.Callable[..., Result],
    startexam: ServedApp,
    examspark: ServedApp,
    kind: str,
    options: list[str],
) -> None:
    sim = startexam if kind == "startexam" else examspark
    answer_in(sim, {"answerShape": "bare"} if kind == "startexam" else {"answer_shape": "bare"})
    add(run, kind, sim.url, *options)
    result = run("vendor", "test", "conn")
    assert result.exit_code == 1, result.output
    assert "Error: credentials: refused — " in result.stderr
    assert "credentials: accepted" not in result.stdout and "catalogue:" not in result.stdout


@pytest.mark.parametrize(
    ("kind", "options", "body", "described"),
    [
        ("startexam", [*STARTEXAM, "--secret-key", "s"], [{"title": "no id"}],
         "answered GET /v1/tests with a bare list of 1 item(s), 1 without 'testId'; that is not"
         " the test list (objects that each have 'testId') in any plausible form (a bare list,"
         " or a list under 'tests', 'items', 'data' or 'result')"),
        ("startexam", [*STARTEXAM, "--secret-key", "s"], {"count": 3},
         "answered GET /v1/tests with an object with keys 'count'; that is not the test list"),
        ("examspark", [*EXAMSPARK, "--app-secret", "s"], {"data": {"id": "x"}},
         "answered GET /api/workspace/sandbox-district with an object with keys 'data'; that is"
         " not the workspace (an object with 'id') bare or under 'workspace'"),
    ],
)  # fmt: skip
def test_an_answer_unreadable_in_every_form_fails_and_is_described(
    run: t.Callable[..., Result], kind: str, options: list[str], body: object, described: str
) -> None:
    with hostile_server() as vendor:
        vendor.default = Answer.json(body)
        add(run, kind, vendor.url, *options)
        result = run("vendor", "test", "conn")
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("credentials: accepted")
    assert "Error: catalogue: unreadable — " in result.stderr and described in result.stderr
