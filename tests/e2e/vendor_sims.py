"""Helpers for the end-to-end vendor flows: the simulators' control APIs, a browser that
answers exam forms, and bounded waits for completion signals that arrive from the
simulators' background threads."""

from __future__ import annotations

import json
import time
import typing as t
import urllib.parse

import requests
from flask import Flask
from sqlalchemy import select

from plugin.sandbox.browser import SandboxBrowser
from plugin.sandbox.browser import parse_forms
from plugin.services import services
from plugin.store.models import Attempt
from plugin.store.models import Signal

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Mapping

    from plugin.sandbox.lms import SandboxCourse
    from plugin.sandbox.lms import SandboxLms
    from plugin.vendors.base import ChangedAttempt
    from plugin.vendors.base import VendorAdapter
    from tests.e2e.conftest import Registration

_TIMEOUT_S = 5.0
WAIT_S = 5.0
_POLL_S = 0.05
_MAX_PAGES = 50
_EMBED_MARK = "var embed = "


def control(base_url: str, method: str, path: str, body: t.Any = None) -> t.Any:
    """Call a simulator's ``/sandbox/`` control API and return its JSON answer."""
    answer = requests.request(method, base_url + path, json=body, timeout=_TIMEOUT_S)
    assert answer.status_code < 300, f"{method} {path}: {answer.status_code} {answer.text}"
    return answer.json()


def launch_to(
    browser: SandboxBrowser,
    lms: SandboxLms,
    registration: Registration,
    course: SandboxCourse,
    assessment: int | str,
) -> requests.Response:
    """Launch the course's learner into ``assessment`` and follow the tool where it sends them."""
    prepared = lms.launch(
        client_id=registration.client_id,
        user_id=course.learner_id,
        context_id=course.context_id,
        resource_link_id=course.resource_link_id,
        custom={"assessment": str(assessment)},
    )
    return browser.run_launch(prepared["login_initiation"])


def answer_form(
    browser: SandboxBrowser,
    page: requests.Response,
    answers: Mapping[str, str],
    *,
    index: int = 0,
) -> requests.Response:
    """Choose ``answers`` (field name -> value) in form ``index`` of ``page`` and submit it."""
    forms, _ = parse_forms(page.text)
    assert len(forms) > index, f"no form {index} on {page.url}: {page.text[:300]}"
    form = forms[index]
    fields = [(name, value) for name, value in form.fields if name not in answers]
    fields += list(answers.items())
    target = urllib.parse.urljoin(page.url, form.action)
    if form.method == "POST":
        return browser.post(target, data=fields)
    return browser.get(target, params=fields)


def embed_of(page: str) -> dict[str, t.Any]:
    """The embed values the tool's player page hands to the vendor's player script."""
    start = page.index(_EMBED_MARK) + len(_EMBED_MARK)
    embed, _ = json.JSONDecoder().raw_decode(page, start)
    assert isinstance(embed, dict)
    return embed


def attempts(app: Flask) -> list[Attempt]:
    with services(app).sessions() as session:
        return list(session.scalars(select(Attempt).order_by(Attempt.id)))


def signals(app: Flask) -> list[Signal]:
    with services(app).sessions() as session:
        return list(session.scalars(select(Signal).order_by(Signal.id)))


def wait_for_signals(
    app: Flask, attempt_id: int, done: Callable[[list[Signal]], bool]
) -> list[Signal]:
    """The attempt's signal rows once ``done`` holds for them (checked every 50 ms, 5 s at most)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        linked = [row for row in signals(app) if row.attempt_id == attempt_id]
        if done(linked):
            return linked
        if time.monotonic() > deadline:
            seen = [(row.kind, row.status_hint, row.vendor_ref) for row in linked]
            raise AssertionError(f"signals of attempt {attempt_id} after {WAIT_S}s: {seen}")
        time.sleep(_POLL_S)


def all_changes(
    adapter: VendorAdapter, cursor: str | None = None
) -> tuple[list[ChangedAttempt], str | None]:
    """Every changed attempt from ``cursor`` to the end of the listing, and the cursor there."""
    changed: list[ChangedAttempt] = []
    for _ in range(_MAX_PAGES):
        page = adapter.list_changes(cursor)
        changed.extend(page.items)
        cursor = page.next_cursor
        if not page.has_more:
            return changed, cursor
    raise AssertionError(f"the listing did not end within {_MAX_PAGES} pages")


def wait_until_listed(adapter: VendorAdapter, vendor_ref: str) -> list[ChangedAttempt]:
    """Sweep the listing from the start (every 50 ms, 5 s at most) until it names ``vendor_ref``."""
    deadline = time.monotonic() + WAIT_S
    while True:
        listed, _ = all_changes(adapter)
        if vendor_ref in {item.vendor_ref for item in listed}:
            return listed
        if time.monotonic() > deadline:
            raise AssertionError(f"{vendor_ref} not listed within {WAIT_S}s: {listed}")
        time.sleep(_POLL_S)


def wait_for_grade(
    lms: SandboxLms, course: SandboxCourse, done: Callable[[dict[str, t.Any]], bool] = bool
) -> dict[str, t.Any]:
    """The learner's latest score in the course gradebook once ``done`` holds for it
    (checked every 50 ms, 5 s at most)."""
    deadline = time.monotonic() + WAIT_S
    while True:
        scores = [
            s
            for s in lms.gradebook(course.context_id)["scores"]
            if s["userId"] == course.learner_id
        ]
        if scores and done(scores[-1]):
            return scores[-1]
        if time.monotonic() > deadline:
            raise AssertionError(f"no matching grade within {WAIT_S}s: {scores}")
        time.sleep(_POLL_S)
