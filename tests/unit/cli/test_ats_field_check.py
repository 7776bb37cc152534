"""``ats fields --map`` checks the map against the fields the ATS itself defines, over real
HTTP against the simulators: a contradiction is refused on stderr (exit 1) and nothing
is stored; a map that fits is stored."""

from __future__ import annotations

import json
import secrets
import typing as t

import pytest
from click.testing import CliRunner
from click.testing import Result

from plugin.cli import main
from plugin.sandbox.ats.greenhouse import SandboxGreenhouse
from plugin.sandbox.ats.greenhouse import create_greenhouse_app
from plugin.sandbox.ats.workable import SandboxWorkable
from plugin.sandbox.ats.workable import create_workable_app
from plugin.sandbox.server import serve_app

if t.TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def run(base_settings: dict[str, str]) -> t.Callable[..., Result]:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(main, list(args), env=base_settings)

    return invoke


@pytest.fixture
def workable(run: t.Callable[..., Result]) -> Iterator[SandboxWorkable]:
    token = f"wk-{secrets.token_hex(8)}"
    with serve_app(create_workable_app(subdomain="acme", token=token)) as served:
        sandbox = SandboxWorkable(served.url)
        sandbox.add_attribute("Score", "numeric", id="score")
        sandbox.add_attribute(
            "Level", "dropdown", id="level", choices=[{"id": "c-exp", "body": "Expert"}]
        )
        added = run(
            *("ats", "add", "workable", "--name", "wk", "--subdomain", "acme"),
            *("--token", token, "--base-url", served.url),
        )
        assert added.exit_code == 0, added.output
        yield sandbox


@pytest.fixture
def greenhouse(run: t.Callable[..., Result]) -> Iterator[SandboxGreenhouse]:
    app = create_greenhouse_app(client_id="cid", client_secret="gh-secret-value", users=[5])
    with serve_app(app) as served:
        sandbox = SandboxGreenhouse(served.url)
        sandbox.add_field("Passed", "single_select", name_key="passed", options=["Yes", "No"])
        added = run(
            *("ats", "add", "greenhouse", "--name", "gh", "--client-id", "cid"),
            *("--user-id", "5", "--base-url", served.url, "--token-url", sandbox.token_url),
            "--client-secret",
            "gh-secret-value",
        )
        assert added.exit_code == 0, added.output
        yield sandbox


def field_map(run: t.Callable[..., Result], name: str) -> t.Any:
    return json.loads(run("ats", "show", name, "--json").stdout)["field_map"]


def test_a_workable_number_field_mapped_as_short_text_is_refused(
    run: t.Callable[..., Result], workable: SandboxWorkable
) -> None:
    refused = run("ats", "fields", "wk", "--map", "score_percent=score:short_text")

    assert refused.exit_code == 1
    assert (
        "workable field 'score' is numeric; it cannot be mapped as short_text: "
        "map it as numeric (mappings/ats_map.py types)"
    ) in refused.stderr
    assert field_map(run, "wk") is None


def test_a_workable_map_that_fits_the_attributes_is_stored(
    run: t.Callable[..., Result], workable: SandboxWorkable
) -> None:
    mapped = run(
        *("ats", "fields", "wk", "--map", "score_percent=score:numeric"),
        *("--map", "level=level:dropdown", "--option", "level:Expert=c-exp"),
    )

    assert mapped.exit_code == 0, mapped.output
    assert set(field_map(run, "wk")["fields"]) == {"score_percent", "level"}


def test_a_workable_choice_given_by_its_label_and_an_unknown_key_are_refused(
    run: t.Callable[..., Result], workable: SandboxWorkable
) -> None:
    refused = run(
        *(
            "ats",
            "fields",
            "wk",
            "--map",
            "level=level:dropdown",
            "--option",
            "level:Expert=Expert",
        ),
        *("--map", "passed=nope:boolean"),
    )

    assert refused.exit_code == 1
    assert "workable field 'level' has no option 'Expert'" in refused.stderr
    assert "its options are: c-exp=Expert" in refused.stderr
    assert "workable has no field 'nope'" in refused.stderr


def test_a_greenhouse_select_option_that_does_not_exist_is_refused(
    run: t.Callable[..., Result], greenhouse: SandboxGreenhouse
) -> None:
    refused = run(
        *("ats", "fields", "gh", "--map", "passed=passed:single_select"),
        *("--option", "passed:true=Yes", "--option", "passed:false=Nope"),
    )

    assert refused.exit_code == 1
    assert "greenhouse field 'passed' has no option 'Nope' (for passed)" in refused.stderr
    assert field_map(run, "gh") is None

    accepted = run(
        *("ats", "fields", "gh", "--map", "passed=passed:single_select"),
        *("--option", "passed:true=Yes", "--option", "passed:false=No"),
    )
    assert accepted.exit_code == 0, accepted.output


def test_an_unreachable_ats_refuses_the_map_unless_unchecked(
    run: t.Callable[..., Result],
) -> None:
    added = run(
        *("ats", "add", "workable", "--name", "gone", "--subdomain", "acme"),
        *("--token", "t", "--base-url", "http://127.0.0.1:9"),
    )
    assert added.exit_code == 0, added.output

    refused = run("ats", "fields", "gone", "--map", "score_percent=score:numeric")
    assert refused.exit_code == 1
    assert "cannot check the map against the fields workable defines" in refused.stderr

    stored = run("ats", "fields", "gone", "--map", "score_percent=score:numeric", "--no-check")
    assert stored.exit_code == 0, stored.output
