"""``platform registration-url / invites / invite-revoke`` and the origins of ``platform
add / update / show``, through click against a real store on disk."""

from __future__ import annotations

import datetime as dt
import json
import typing as t

import pytest
from click.testing import CliRunner
from click.testing import Result

from plugin.cli import main

BASE_URL = "http://127.0.0.1:8000"
CANVAS = "https://canvas.instructure.com"
SSO = "https://sso.canvaslms.com"
CANVAS_ARGS = [
    "platform", "add", "--issuer", CANVAS, "--client-id", "10000000000001",
    "--auth-login-url", f"{SSO}/api/lti/authorize_redirect",
    "--auth-token-url", f"{SSO}/login/oauth2/token",
    "--key-set-url", f"{SSO}/api/lti/security/jwks", "--deployment-id", "1:abc",
]  # fmt: skip


@pytest.fixture
def run(base_settings: dict[str, str]) -> t.Callable[..., Result]:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), env=base_settings, catch_exceptions=False)

    return invoke


def test_a_registration_url_is_printed_once_and_never_listed(
    run: t.Callable[..., Result],
) -> None:
    minted = run("platform", "registration-url", "--label", "Moodle prod", "--expires", "2h")
    assert minted.exit_code == 0, minted.stderr
    url, note = minted.stdout.splitlines()[:2]
    assert url.startswith(f"{BASE_URL}/lti/register/")
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 43
    expires = dt.datetime.fromisoformat(note.split("until ")[1].split(";")[0])
    assert dt.timedelta(minutes=119) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=2)

    listed = run("platform", "invites", "--json")
    (invite,) = json.loads(listed.stdout)
    assert invite["label"] == "Moodle prod" and invite["state"] == "unused"
    assert invite["platform_issuer"] is None
    table = run("platform", "invites")
    assert token not in listed.stdout + table.stdout
    assert "Moodle prod" in table.stdout and "unused" in table.stdout


def test_json_output_and_allowed_origins(run: t.Callable[..., Result]) -> None:
    minted = run(
        "platform", "registration-url", "--allow-origin", SSO, "--allow-origin", f"{SSO}/",
        "--expires", "30m", "--json",
    )  # fmt: skip
    data = json.loads(minted.stdout)
    assert data["url"].startswith(f"{BASE_URL}/lti/register/")
    assert data["allowed_origins"] == [SSO]
    lifetime = dt.datetime.fromisoformat(data["expires_at"]) - dt.datetime.fromisoformat(
        data["created_at"]
    )
    assert lifetime == dt.timedelta(minutes=30)
    (listed,) = json.loads(run("platform", "invites", "--json").stdout)
    assert listed["allowed_origins"] == [SSO] and "url" not in listed


@pytest.mark.parametrize("value", ["0m", "31d", "tomorrow", "12", "-1h"])
def test_a_bad_lifetime_is_a_clear_error(run: t.Callable[..., Result], value: str) -> None:
    result = run("platform", "registration-url", "--expires", value)
    assert result.exit_code != 0 and result.stdout == ""
    assert "--expires" in result.stderr and "Traceback" not in result.stderr
    assert json.loads(run("platform", "invites", "--json").stdout) == []


def test_a_bad_origin_is_a_clear_error(run: t.Callable[..., Result]) -> None:
    result = run("platform", "registration-url", "--allow-origin", f"{SSO}/login")
    assert result.exit_code != 0 and "not an origin" in result.stderr
    assert result.stdout == ""


def test_invite_revoke(run: t.Callable[..., Result]) -> None:
    run("platform", "registration-url")
    (invite,) = json.loads(run("platform", "invites", "--json").stdout)
    revoked = run("platform", "invite-revoke", str(invite["id"]))
    assert (
        revoked.exit_code == 0 and f"revoked registration invite {invite['id']}" in revoked.stdout
    )
    assert json.loads(run("platform", "invites", "--json").stdout) == []
    again = run("platform", "invite-revoke", str(invite["id"]))
    assert again.exit_code != 0 and "no registration invite" in again.stderr


def test_add_refuses_urls_off_the_issuers_site_unless_allowed(
    run: t.Callable[..., Result],
) -> None:
    refused = run(*CANVAS_ARGS)
    assert refused.exit_code != 0 and refused.stdout == ""
    assert f"--allow-origin {SSO}" in refused.stderr
    assert json.loads(run("platform", "list", "--json").stdout) == []

    added = run(*CANVAS_ARGS, "--allow-origin", SSO)
    assert added.exit_code == 0, added.stderr
    shown = run("platform", "show", "--issuer", CANVAS)
    assert f"allowed origins: {SSO}" in shown.stdout
    data = json.loads(run("platform", "show", "--issuer", CANVAS, "--json").stdout)
    assert data["record"]["allowed_origins"] == [SSO]


def test_update_replaces_the_allowed_origins(run: t.Callable[..., Result]) -> None:
    run(*CANVAS_ARGS, "--allow-origin", SSO)
    school = "https://school.instructure.com"
    updated = run(
        "platform", "update", "--issuer", CANVAS, "--allow-origin", SSO,
        "--allow-origin", school, "--json",
    )  # fmt: skip
    assert json.loads(updated.stdout)["record"]["allowed_origins"] == [school, SSO]
    dropped = run("platform", "update", "--issuer", CANVAS, "--no-allowed-origins")
    assert dropped.exit_code != 0 and "auth login URL" in dropped.stderr
    neither = run("platform", "update", "--issuer", CANVAS)
    assert neither.exit_code != 0 and "--no-allowed-origins" in neither.stderr
