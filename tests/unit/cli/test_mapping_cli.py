from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from plugin.cli.mapping import mapping_group

SAMPLES = Path(__file__).parents[1] / "mappings" / "samples"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    for name in ("startexam_session_finished", "imocha_report_type3", "mettl_candidates_completed"):
        shutil.copy(SAMPLES / f"{name}.json", tmp_path / f"{name}.json")
    return tmp_path


def test_preview_prints_one_json_document(runner: CliRunner, workdir: Path) -> None:
    outcome = runner.invoke(
        mapping_group,
        [
            "preview",
            "--vendor-kind",
            "mettl",
            "--input",
            str(workdir / "mettl_candidates_completed.json"),
        ],
    )
    assert outcome.exit_code == 0, outcome.output
    document = json.loads(outcome.stdout)
    assert set(document) == {"result", "ags_score"}
    assert document["result"]["percent"] == "50.00"
    assert document["ags_score"]["gradingProgress"] == "FullyGraded"
    assert (document["ags_score"]["scoreGiven"], document["ags_score"]["scoreMaximum"]) == (
        50.0,
        100.0,
    )


def test_preview_with_points_and_an_ats_map(runner: CliRunner, workdir: Path) -> None:
    ats_map = workdir / "map.json"
    ats_map.write_text(
        json.dumps(
            {"target": "workable", "fields": {"summary": {"key": "a1", "type": "short_text"}}}
        )
    )
    outcome = runner.invoke(
        mapping_group,
        [
            "preview",
            "--vendor-kind",
            "imocha",
            "--input",
            str(workdir / "imocha_report_type3.json"),
            "--score-mode",
            "points",
            "--max-points",
            "178",
            "--ats-map",
            str(ats_map),
        ],
    )
    assert outcome.exit_code == 0, outcome.output
    document = json.loads(outcome.stdout)
    assert (document["ags_score"]["scoreGiven"], document["ags_score"]["scoreMaximum"]) == (
        2.0,
        178.0,
    )
    (write,) = document["ats_fields"]["writes"]
    assert write["request"] == {
        "custom_attribute_key": "a1",
        "value": "Test with All question types: completed; score 1/89; 1.12%",
    }


def test_preview_reads_standard_input(runner: CliRunner) -> None:
    text = (SAMPLES / "startexam_session_finished.json").read_text()
    outcome = runner.invoke(
        mapping_group, ["preview", "--vendor-kind", "startexam", "--input", "-"], input=text
    )
    assert outcome.exit_code == 0, outcome.output
    assert json.loads(outcome.stdout)["ags_score"]["gradingProgress"] == "PendingManual"


def test_invalid_payload_prints_field_paths_and_fails(runner: CliRunner, workdir: Path) -> None:
    path = workdir / "startexam_session_finished.json"
    raw = json.loads(path.read_text())
    raw["questions"][2]["score"] = "abc"
    raw["percent"] = 150
    path.write_text(json.dumps(raw))
    outcome = runner.invoke(
        mapping_group, ["preview", "--vendor-kind", "startexam", "--input", str(path)]
    )
    assert outcome.exit_code != 0
    assert outcome.stdout == ""
    assert "invalid startexam payload" in outcome.stderr
    assert "questions.2.score: Not a valid number." in outcome.stderr
    assert "percent: Must be between 0 and 100." in outcome.stderr


def test_invalid_json_fails(runner: CliRunner, workdir: Path) -> None:
    path = workdir / "broken.json"
    path.write_text("{not json")
    outcome = runner.invoke(
        mapping_group, ["preview", "--vendor-kind", "imocha", "--input", str(path)]
    )
    assert outcome.exit_code != 0
    assert "--input: not valid JSON" in outcome.stderr


def test_invalid_ats_map_fails_with_its_problems(runner: CliRunner, workdir: Path) -> None:
    ats_map = workdir / "map.json"
    ats_map.write_text(
        json.dumps({"target": "greenhouse", "fields": {"score": {"key": "s", "type": "numeric"}}})
    )
    outcome = runner.invoke(
        mapping_group,
        [
            "preview",
            "--vendor-kind",
            "imocha",
            "--input",
            str(workdir / "imocha_report_type3.json"),
            "--ats-map",
            str(ats_map),
        ],
    )
    assert outcome.exit_code != 0
    assert "invalid ATS field map" in outcome.stderr
    assert "fields.score.type: Not a greenhouse field type" in outcome.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--vendor-kind", "codility"], "Invalid value for '--vendor-kind'"),
        (["--vendor-kind", "imocha", "--max-points", "ten"], "'ten' is not a number."),
        (["--vendor-kind", "imocha", "--max-points", "-5"], "max_points must be greater than 0"),
        (
            ["--vendor-kind", "imocha", "--score-mode", "letters"],
            "Invalid value for '--score-mode'",
        ),
    ],
)
def test_bad_options_fail(
    runner: CliRunner, workdir: Path, arguments: list[str], message: str
) -> None:
    outcome = runner.invoke(
        mapping_group, ["preview", "--input", str(workdir / "imocha_report_type3.json"), *arguments]
    )
    assert outcome.exit_code != 0
    assert message in outcome.stderr
