"""Authenticated signals that name no attempt we know: counted on their connection, not
stored one row each, and logged once a minute at most (finding 6 of the hostile input
issue)."""

from __future__ import annotations

import json
import logging
import typing as t

from click.testing import CliRunner
from sqlalchemy import func
from sqlalchemy import select

from plugin.attempts.unmatched import UnmatchedLog
from plugin.attempts.unmatched import unmatched_counts
from plugin.cli import main
from plugin.services import services
from plugin.store.models import Signal
from plugin.vendors.base import CompletionSignal
from plugin.vendors.base import SignalKind
from tests.unit.sync.fakes import RecordingJobQueue
from tests.unit.web.callback_urls import attempt_on
from tests.unit.web.callback_urls import connection

if t.TYPE_CHECKING:
    import pytest
    from flask import Flask

JUNK = 1000
LOGGER = "plugin.attempts.unmatched"
NAMES = ("noisy", "quiet", "imocha-hostile")


def counts(app: Flask) -> dict[str, int]:
    """The unmatched counts of the connections these tests add (not of ``make_attempt``'s)."""
    return {u.name: u.count for u in unmatched_counts(services(app).sessions) if u.name in NAMES}


def stored_signals(app: Flask) -> int:
    with services(app).sessions() as session:
        return session.scalar(select(func.count(Signal.id))) or 0


def test_a_thousand_junk_callbacks_store_nothing_and_are_counted_everywhere(
    app: Flask, base_settings: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    noisy, quiet = connection(app, "imocha", "noisy"), connection(app, "imocha", "quiet")
    attempt_on(app, noisy, vendor_ref="1")
    client = app.test_client()
    before = stored_signals(app)

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        for n in range(JUNK):
            body = {"TestInvitationId": 1_000_000 + n, "Status": "Complete"}
            answer = client.post(noisy.callback_path, json=body)
            assert answer.status_code == 200 and answer.get_json() == {"status": "received"}

    assert stored_signals(app) == before == 0
    assert counts(app) == {"noisy": JUNK, "quiet": 0}
    lines = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert len(lines) == 1 and "no attempt we know" in lines[0]
    status = CliRunner().invoke(main, ["sync", "status", "--json"], env=base_settings)
    assert status.exit_code == 0, status.output
    listed = json.loads(status.stdout)["unmatched_signals"]
    assert {u["name"]: u["count"] for u in listed if u["name"] in NAMES} == counts(app)
    table = CliRunner().invoke(main, ["sync", "status"], env=base_settings).stdout
    assert any(line.split()[:2] == ["noisy", str(JUNK)] for line in table.splitlines())
    metrics = client.get("/metrics").get_data(as_text=True)
    assert f'bridge_unmatched_signals_total{{connection="noisy",vendor="imocha"}} {JUNK}' in metrics
    assert 'bridge_unmatched_signals_total{connection="quiet",vendor="imocha"} 0' in metrics
    assert quiet.id != noisy.id


def test_a_callback_for_a_known_attempt_is_still_stored_and_not_counted(app: Flask) -> None:
    on = connection(app, "imocha")
    attempt_id, _ = attempt_on(app, on, vendor_ref="331469")
    queue = services(app).queue = RecordingJobQueue(services(app).sessions)  # no iMocha here

    answer = app.test_client().post(on.callback_path, json={"TestInvitationId": 331469})

    # The same answer as for a signal naming no attempt: the answer tells nothing apart.
    assert answer.status_code == 200 and answer.get_json() == {"status": "received"}
    with services(app).sessions() as session:
        assert list(session.scalars(select(Signal.attempt_id))) == [attempt_id]
    assert counts(app) == {on.name: 0} and queue.syncs == [attempt_id]


def test_the_log_says_so_once_a_minute_per_connection_with_what_it_left_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [1000.0]
    note = UnmatchedLog(interval=60, clock=lambda: now[0]).note
    signal = CompletionSignal(SignalKind.CALLBACK, vendor_ref="nobody\n injected")

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        for count in range(1, 6):
            note(1, count, signal)
        note(2, 1, signal)
        now[0] += 61
        note(1, 6, signal)

    lines = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert len(lines) == 3
    assert lines[0].startswith("connection 1:") and "1 since the last line" in lines[0]
    assert lines[1].startswith("connection 2:")
    assert "5 since the last line" in lines[2] and "6 in all" in lines[2]
    assert all("\n" not in line for line in lines)


def test_a_connection_name_is_escaped_in_the_metrics(app: Flask) -> None:
    on = connection(app, "imocha", 'odd "name" \\ here')
    app.test_client().post(on.callback_path, json={"TestInvitationId": 42})

    metrics = app.test_client().get("/metrics").get_data(as_text=True)

    assert 'connection="odd \\"name\\" \\\\ here",vendor="imocha"} 1' in metrics
