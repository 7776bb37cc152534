"""``vendor list`` and ``ats list`` print no secret, in text or JSON; ``vendor show`` does
print the callback URL the admin gives the vendor (StartExam's: the browser URL)."""

from __future__ import annotations

import json
import typing as t
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from click.testing import Result

from plugin.cli import main

VENDOR_SECRET = "vendor-private-key-value"
WEBHOOK_PATH_SECRET = "hook-path-secret-0123"
WEBHOOK_SECRET = "webhook-signing-secret-value"
WORKABLE_TOKEN = "workable-token-value"


@pytest.fixture
def run(base_settings: dict[str, str]) -> t.Callable[..., Result]:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), env=base_settings, catch_exceptions=False)

    return invoke


@pytest.fixture
def callback_token(run: t.Callable[..., Result]) -> str:
    """Adds one vendor and two ATS connections with known secrets; the callback token."""
    added = [
        run(
            *("vendor", "add", "mettl", "--name", "m", "--base-url", "https://mettl.example"),
            *("--public-key", "pub", "--private-key", VENDOR_SECRET),
        ),
        run(
            *("ats", "add", "webhook", "--name", "hook"),
            *("--url", f"https://hooks.example/in/{WEBHOOK_PATH_SECRET}"),
            *("--secret", WEBHOOK_SECRET),
        ),
        run(
            *("ats", "add", "workable", "--name", "wk", "--subdomain", "acme"),
            *("--token", WORKABLE_TOKEN),
        ),
    ]
    assert all(result.exit_code == 0 for result in added), [r.output for r in added]
    shown = json.loads(run("vendor", "show", "m", "--json").stdout)
    return parse_qs(urlsplit(shown["callback_url"]).query)["token"][0]


@pytest.mark.parametrize(
    "command",
    [
        ("vendor", "list"),
        ("vendor", "list", "--json"),
        ("ats", "list"),
        ("ats", "list", "--json"),
    ],
)
def test_listings_print_no_secret(
    run: t.Callable[..., Result], callback_token: str, command: tuple[str, ...]
) -> None:
    result = run(*command)
    assert result.exit_code == 0, result.output
    assert ("m" if command[0] == "vendor" else "hook") in result.stdout
    for secret in (callback_token, VENDOR_SECRET, WEBHOOK_PATH_SECRET, WEBHOOK_SECRET,
                   WORKABLE_TOKEN):  # fmt: skip
        assert secret not in result.stdout and secret not in result.stderr
    assert "/callbacks/" not in result.stdout


def test_vendor_show_still_prints_the_callback_url(
    run: t.Callable[..., Result], callback_token: str
) -> None:
    shown = run("vendor", "show", "m")
    assert shown.exit_code == 0
    assert f"/callbacks/mettl/1?token={callback_token}" in shown.stdout
    assert VENDOR_SECRET not in shown.stdout


@pytest.fixture
def startexam_urls(run: t.Callable[..., Result]) -> dict[str, str]:
    """A StartExam connection; its callback and browser URLs as `vendor show --json` has them."""
    added = run(
        *("vendor", "add", "startexam", "--name", "se", "--account-id", "77"),
        *("--secret-key", VENDOR_SECRET, "--center", "sandbox"),
    )
    assert added.exit_code == 0, added.output
    shown: dict[str, str] = json.loads(run("vendor", "show", "se", "--json").stdout)
    return shown


def _token(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


@pytest.mark.parametrize("command", [("vendor", "list"), ("vendor", "list", "--json")])
def test_listings_print_no_browser_token(
    run: t.Callable[..., Result], startexam_urls: dict[str, str], command: tuple[str, ...]
) -> None:
    result = run(*command)
    assert result.exit_code == 0 and "se" in result.stdout
    for url in (startexam_urls["browser_url"], startexam_urls["callback_url"]):
        assert _token(url) not in result.stdout
    assert "/browser" not in result.stdout


def test_vendor_show_gives_startexam_the_browser_url_not_the_callback_token(
    run: t.Callable[..., Result], startexam_urls: dict[str, str]
) -> None:
    browser_url = startexam_urls["browser_url"]
    assert browser_url.startswith("http://127.0.0.1:8000/callbacks/startexam/1/browser?token=")
    assert _token(browser_url) != _token(startexam_urls["callback_url"])

    shown = run("vendor", "show", "se")

    assert shown.exit_code == 0
    assert f"StartExam test settings → callback URL): {browser_url}" in shown.stdout
    assert _token(startexam_urls["callback_url"]) not in shown.stdout
    assert VENDOR_SECRET not in shown.stdout


def test_other_vendors_have_no_browser_url(
    run: t.Callable[..., Result], callback_token: str
) -> None:
    shown = json.loads(run("vendor", "show", "m", "--json").stdout)
    assert shown["browser_url"] is None and callback_token in shown["callback_url"]
