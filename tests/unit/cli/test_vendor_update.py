"""``vendor update``: settings change, the connection's tokens and URLs stay; and an
ExamSpark connection without a pinned player bundle fails ``vendor test`` before any
learner meets it."""

from __future__ import annotations

import json
import typing as t

import pytest
from click.testing import CliRunner
from click.testing import Result

from plugin.cli import main
from plugin.sandbox.server import ServedApp
from plugin.sandbox.server import serve_app
from plugin.sandbox.vendors.examspark import create_examspark_app
from plugin.sandbox.vendors.examspark.sdk import SCRIPT_PATH
from plugin.sandbox.vendors.examspark.sdk import script_integrity

ADD = ["--app-key", "ak", "--app-secret", "es-secret", "--workspace-id", "sandbox-district"]


@pytest.fixture
def run(base_settings: dict[str, str]) -> t.Callable[..., Result]:
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(main, list(args), env=base_settings, input=stdin)

    return invoke


@pytest.fixture
def examspark() -> t.Iterator[ServedApp]:
    with serve_app(create_examspark_app(app_key="ak", app_secret="es-secret")) as served:
        yield served


def shown(run: t.Callable[..., Result]) -> dict[str, t.Any]:
    answer = run("vendor", "show", "es", "--json")
    assert answer.exit_code == 0, answer.output
    data: dict[str, t.Any] = json.loads(answer.stdout)
    return data


def test_an_unpinned_player_fails_the_test_and_an_update_pins_it(
    run: t.Callable[..., Result], examspark: ServedApp
) -> None:
    added = run("vendor", "add", "examspark", "--name", "es", "--base-url", examspark.url, *ADD)
    assert added.exit_code == 0, added.output
    before = shown(run)

    unpinned = run("vendor", "test", "es")
    assert unpinned.exit_code == 1
    assert "credentials: accepted" in unpinned.stdout
    assert "no learner can start an exam yet" in unpinned.stderr
    assert "vendor update" in unpinned.stderr and "Traceback" not in unpinned.output

    updated = run(
        "vendor", "update", "es",
        "--set", f"sdk_script_url={examspark.url}{SCRIPT_PATH}",
        "--set", f"sdk-script-integrity={script_integrity()}",
    )  # fmt: skip
    assert updated.exit_code == 0, updated.output
    after = shown(run)
    assert after["settings"]["sdk_script_url"] == examspark.url + SCRIPT_PATH
    assert after["settings"]["app_secret"] == before["settings"]["app_secret"]  # masked, kept
    assert (after["callback_url"], after["id"]) == (before["callback_url"], before["id"])
    assert run("vendor", "test", "es").exit_code == 0


def test_a_bad_or_unknown_setting_is_refused_and_changes_nothing(
    run: t.Callable[..., Result], examspark: ServedApp
) -> None:
    added = run("vendor", "add", "examspark", "--name", "es", "--base-url", examspark.url, *ADD)
    assert added.exit_code == 0, added.output
    before = shown(run)

    latest = run(
        "vendor", "update", "es",
        "--set", "sdk_script_url=https://unpkg.com/@campfirelearning/sdk-js@latest/x.js",
        "--set", f"sdk_script_integrity={script_integrity()}",
    )  # fmt: skip
    assert latest.exit_code == 1 and "@latest" in latest.stderr
    unknown = run("vendor", "update", "es", "--set", "colour=blue")
    assert unknown.exit_code == 1 and "colour" in unknown.stderr
    missing = run("vendor", "update", "nobody", "--set", "page_size=5")
    assert missing.exit_code == 1 and "no vendor connection named 'nobody'" in missing.stderr
    assert shown(run) == before


def test_a_secret_named_alone_is_prompted_for(
    run: t.Callable[..., Result], examspark: ServedApp
) -> None:
    added = run("vendor", "add", "examspark", "--name", "es", "--base-url", examspark.url, *ADD)
    assert added.exit_code == 0, added.output

    updated = run("vendor", "update", "es", "--set", "app_secret", stdin="wrong-secret\n")
    assert updated.exit_code == 0, updated.output
    assert "wrong-secret" not in updated.output
    refused = run("vendor", "test", "es")
    assert refused.exit_code == 1 and "credentials: refused" in refused.stderr
