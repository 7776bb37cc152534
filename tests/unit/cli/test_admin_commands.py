"""The admin commands through click, against a real store on disk."""

from __future__ import annotations

import json
import typing as t

import pytest
from click.testing import CliRunner
from click.testing import Result

from plugin.cli import main
from plugin.store import migrate

ISSUER = "https://lms.example.edu"
PLATFORM_ARGS = [
    "platform", "add", "--issuer", ISSUER, "--client-id", "client-1",
    "--auth-login-url", f"{ISSUER}/auth", "--auth-token-url", f"{ISSUER}/token",
    "--key-set-url", f"{ISSUER}/jwks", "--deployment-id", "dep-1", "--deployment-id", "dep-2",
]  # fmt: skip


@pytest.fixture
def run(base_settings: dict[str, str]) -> t.Callable[..., Result]:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), env=base_settings, catch_exceptions=False)

    return invoke


def test_help_documents_every_command(run: t.Callable[..., Result]) -> None:
    result = run("--help")
    for command in ("serve", "worker", "db", "keys", "platform", "secrets"):
        assert command in result.output
    for group in (["keys"], ["platform"], ["platform", "deployment"], ["db"]):
        sub = run(*group, "--help")
        assert sub.exit_code == 0 and "Commands:" in sub.output


@pytest.mark.empty_database
def test_first_command_creates_the_store_and_says_where(
    run: t.Callable[..., Result], base_settings: dict[str, str]
) -> None:
    result = run("keys", "list", "--json")
    assert result.exit_code == 0
    assert base_settings["BRIDGE_DATA_DIR"] in result.stderr
    assert "generated a signing key" in result.stderr
    keys = json.loads(result.stdout)
    assert [k["state"] for k in keys] == ["signing"]


def test_platform_lifecycle(run: t.Callable[..., Result]) -> None:
    assert run(*PLATFORM_ARGS).exit_code == 0
    listed = json.loads(run("platform", "list", "--json").stdout)
    assert listed[0]["record"]["issuer"] == ISSUER
    assert [d["deployment_id"] for d in listed[0]["deployments"]] == ["dep-1", "dep-2"]

    added = run(
        "platform", "deployment", "add", "--issuer", ISSUER, "--deployment-id", "dep-3", "--json"
    )
    assert [d["deployment_id"] for d in json.loads(added.stdout)["deployments"]][-1] == "dep-3"
    run("platform", "deployment", "remove", "--issuer", ISSUER, "--deployment-id", "dep-1")
    shown = run("platform", "show", "--issuer", ISSUER)
    assert "dep-1" not in shown.stdout and "dep-3  active" in shown.stdout

    assert run("platform", "remove", "--issuer", ISSUER).exit_code == 0
    assert json.loads(run("platform", "list", "--json").stdout) == []


def test_errors_go_to_stderr_with_a_nonzero_exit(run: t.Callable[..., Result]) -> None:
    run(*PLATFORM_ARGS)
    duplicate = run(*PLATFORM_ARGS)
    assert duplicate.exit_code != 0
    assert "already registered" in duplicate.stderr and duplicate.stdout == ""
    missing = run("platform", "show", "--issuer", "https://nowhere.example")
    assert missing.exit_code != 0 and "no platform registered" in missing.stderr


def test_bad_setting_is_reported_before_anything_happens(
    run: t.Callable[..., Result], base_settings: dict[str, str]
) -> None:
    result = CliRunner().invoke(
        main, ["keys", "list"], env={**base_settings, "BRIDGE_BASE_URL": "nope"}
    )
    assert result.exit_code != 0
    assert "BRIDGE_BASE_URL" in result.stderr


def test_a_kid_that_starts_with_a_dash_is_taken_as_the_key_to_retire(
    run: t.Callable[..., Result],
) -> None:
    refused = run("keys", "retire", "-Tno-such-key")
    assert refused.exit_code == 1 and "no tool key with kid '-Tno-such-key'" in refused.stderr


def test_key_rotation_from_the_cli(run: t.Callable[..., Result]) -> None:
    first = json.loads(run("keys", "list", "--json").stdout)[0]["kid"]
    rotated = json.loads(
        run("keys", "rotate", "--overlap", "0", "--keep-old", "3600", "--json").stdout
    )
    keys = {k["kid"]: k["state"] for k in json.loads(run("keys", "list", "--json").stdout)}
    assert keys == {first: "previous", rotated["kid"]: "signing"}
    assert run("keys", "retire", first).exit_code == 0
    refused = run("keys", "retire", rotated["kid"])
    assert refused.exit_code != 0 and "only key" in refused.stderr
    assert run("keys", "retire", "nope").exit_code != 0


def test_db_upgrade_is_idempotent(run: t.Callable[..., Result]) -> None:
    first = run("db", "upgrade")
    # A fresh SQLite file starts empty; the shared PostgreSQL test database may not.
    head = migrate.head_revision()
    assert f"to {head}" in first.stdout or f"already at {head}" in first.stdout
    assert "already at" in run("db", "upgrade").stdout
    assert run("db", "current").stdout.strip() == head
    assert json.loads(run("db", "current", "--json").stdout) == {"current": head, "head": head}


def test_secrets_generate_prints_a_fernet_key(run: t.Callable[..., Result]) -> None:
    from cryptography.fernet import Fernet

    Fernet(run("secrets", "generate").stdout.strip())
