"""``assessment add`` sets a Mettl schedule's notification and exit URLs through Edit
Schedule (``--no-configure-vendor`` skips it, ``assessment configure`` redoes it), and
``vendor show`` prints the connection's exit URL; against the simulator over real HTTP."""

from __future__ import annotations

import json
import typing as t
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from click.testing import Result

from plugin.cli import main
from plugin.sandbox.server import serve_app
from plugin.sandbox.vendors.mettl import create_mettl_app
from tests.e2e.vendor_sims import control

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from plugin.sandbox.server import ServedApp

BASE_URL = "http://127.0.0.1:8000"  # BRIDGE_BASE_URL of base_settings
KEY = "aptitude1"


@pytest.fixture
def run(base_settings: dict[str, str]) -> t.Callable[..., Result]:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), env=base_settings, catch_exceptions=False)

    return invoke


@pytest.fixture
def sim(run: t.Callable[..., Result]) -> Iterator[ServedApp]:
    """The Mettl simulator with schedule ``KEY`` and the connection ``m`` to it."""
    with serve_app(create_mettl_app(public_key="pub", private_key="me-secret")) as served:
        control(served.url, "POST", "/sandbox/schedules", {"name": "Aptitude", "accessKey": KEY})
        added = run(
            *("vendor", "add", "mettl", "--name", "m", "--base-url", served.url),
            *("--public-key", "pub", "--private-key", "me-secret"),
        )
        assert added.exit_code == 0, added.output
        yield served


def schedule(sim: ServedApp) -> dict[str, t.Any]:
    stored: dict[str, t.Any] = control(sim.url, "GET", f"/sandbox/schedules/{KEY}")
    return stored


def connection(run: t.Callable[..., Result]) -> dict[str, t.Any]:
    shown: dict[str, t.Any] = json.loads(run("vendor", "show", "m", "--json").stdout)
    return shown


def refused(result: Result) -> str:
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output and result.exception is not None
    return result.stderr


def test_add_sets_the_schedule_urls_and_prints_them(
    run: t.Callable[..., Result], sim: ServedApp
) -> None:
    created = run("assessment", "add", "--vendor", "m", "--test-id", KEY)

    assert created.exit_code == 0, created.output
    assert created.stdout.strip().isdigit()
    info = connection(run)
    exit_url = f"{BASE_URL}/return/finished/{info['id']}"
    notification = f"{info['callback_url']}&accessKey={KEY}"
    stored = schedule(sim)
    assert stored["testFinishNotificationUrl"] == notification
    assert stored["testGradedNotificationUrl"] == notification
    assert stored["exitRedirectionUrl"] == exit_url
    token = parse_qs(urlsplit(info["callback_url"]).query)["token"][0]
    assert token not in created.output
    masked = notification.replace(token, "********")
    assert created.stderr.splitlines() == [
        f"set Mettl schedule {KEY}: testFinishNotificationUrl = {masked}",
        f"set Mettl schedule {KEY}: testGradedNotificationUrl = {masked}",
        f"set Mettl schedule {KEY}: exitRedirectionUrl = {exit_url}",
    ]


def test_add_as_json_holds_what_was_set(run: t.Callable[..., Result], sim: ServedApp) -> None:
    created = run("assessment", "add", "--vendor", "m", "--test-id", KEY, "--json")

    assert created.exit_code == 0, created.output
    setup = json.loads(created.stdout)["vendor_setup"]
    assert len(setup) == 3 and setup[2].endswith(f"/return/finished/{connection(run)['id']}")


def test_no_configure_vendor_sets_nothing(run: t.Callable[..., Result], sim: ServedApp) -> None:
    created = run("assessment", "add", "--vendor", "m", "--test-id", KEY, "--no-configure-vendor")

    assert created.exit_code == 0, created.output
    assert created.stderr == ""
    stored = schedule(sim)
    assert stored["testFinishNotificationUrl"] is None
    assert stored["testGradedNotificationUrl"] is None
    assert stored["exitRedirectionUrl"] is None


def test_configure_sets_the_urls_of_an_assessment_added_without(
    run: t.Callable[..., Result], sim: ServedApp
) -> None:
    created = run("assessment", "add", "--vendor", "m", "--test-id", KEY, "--no-configure-vendor")

    configured = run("assessment", "configure", created.stdout.strip())

    assert configured.exit_code == 0, configured.output
    assert f"exitRedirectionUrl = {BASE_URL}/return/finished/" in configured.stdout
    assert schedule(sim)["exitRedirectionUrl"] == connection(run)["exit_url"]


@pytest.mark.parametrize(
    ("test_id", "private_key", "reason"),
    [("nosuchkey", "me-secret", "E404"), (KEY, "wrong-secret", "E401")],
)
def test_a_vendor_refusal_is_a_clear_error_and_stores_nothing(
    run: t.Callable[..., Result], sim: ServedApp, test_id: str, private_key: str, reason: str
) -> None:
    updated = run("vendor", "add", "mettl", "--name", "bad", "--base-url", sim.url,
                  "--public-key", "pub", "--private-key", private_key)  # fmt: skip
    assert updated.exit_code == 0, updated.output

    message = refused(run("assessment", "add", "--vendor", "bad", "--test-id", test_id))

    assert f"the vendor did not configure test {test_id!r}" in message and reason in message
    assert "No assessment was added" in message and "--no-configure-vendor" in message
    assert "vendor show bad" in message and private_key not in message
    assert json.loads(run("assessment", "list", "--json").stdout) == []
    assert schedule(sim)["exitRedirectionUrl"] is None


def test_vendor_show_prints_the_exit_url_of_the_connection(
    run: t.Callable[..., Result], sim: ServedApp
) -> None:
    shown = run("vendor", "show", "m")
    info = connection(run)

    assert f"exit URL (the schedule's exit redirection URL): {BASE_URL}/return/finished/" in (
        shown.stdout
    )
    assert info["exit_url"] == f"{BASE_URL}/return/finished/{info['id']}"
    assert "<connection id>" not in shown.stdout
    assert "`assessment add` points the schedule's" in shown.stdout


def test_a_vendor_without_such_an_api_says_what_to_set_by_hand(
    run: t.Callable[..., Result],
) -> None:
    run("vendor", "add", "startexam", "--name", "se", "--account-id", "1", "--secret-key", "s",
        "--center", "c", "--base-url", "http://127.0.0.1:9")  # fmt: skip

    created = run("assessment", "add", "--vendor", "se", "--test-id", "t1")

    assert created.exit_code == 0, created.output
    assert created.stderr.startswith("nothing set at startexam (no API for it): By hand")
    assert "exit URL" not in run("vendor", "show", "se").stdout
    assert "no API to configure" in refused(run("assessment", "configure", created.stdout.strip()))
