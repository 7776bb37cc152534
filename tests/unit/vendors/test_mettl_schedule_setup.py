"""Mettl's Edit Schedule: the client call, the adapter's ``configure_test`` and the
simulator's endpoint (signature, ``sc`` checks), over real HTTP."""

from __future__ import annotations

import json
import time
import typing as t
import urllib.parse

import pytest
import requests

from lti.http import TimeoutSession
from plugin.sandbox.server import serve_app
from plugin.sandbox.vendors.mettl import create_mettl_app
from plugin.vendors.base import CompletionUrls
from plugin.vendors.base import VendorConfigurer
from plugin.vendors.errors import AuthError
from plugin.vendors.errors import NotFoundError
from plugin.vendors.errors import VendorRefusedError
from plugin.vendors.mettl import MettlAdapter
from plugin.vendors.mettl import MettlConfig
from plugin.vendors.mettl.schedule_setup import keyed_url
from plugin.vendors.mettl.signing import signed_query
from tests.unit.vendors.helpers import control

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from plugin.sandbox.server import ServedApp

PUBLIC = "pk-sandbox"
PRIVATE = "sk-sandbox-very-secret"
KEY = "sched1"
CALLBACK = "https://bridge.example/callbacks/mettl/7?token=cb-token"
EXIT = "https://bridge.example/return/finished/7"
URLS = CompletionUrls(notification_url=CALLBACK, exit_url=EXIT)


@pytest.fixture
def sim() -> Iterator[ServedApp]:
    with serve_app(create_mettl_app(public_key=PUBLIC, private_key=PRIVATE)) as served:
        control(served, "POST", "/sandbox/schedules", name="Java test", accessKey=KEY)
        yield served


def adapter(sim: ServedApp, private_key: str = PRIVATE) -> MettlAdapter:
    config = MettlConfig.from_mapping(
        {"public_key": PUBLIC, "private_key": private_key, "base_url": sim.url}
    )
    return MettlAdapter(config, session=TimeoutSession(retries=0, read_timeout=3.0))


def stored(sim: ServedApp, key: str = KEY) -> dict[str, t.Any]:
    return control(sim, "GET", f"/sandbox/schedules/{key}")


def edit(sim: ServedApp, settings: t.Any, *, private_key: str = PRIVATE) -> dict[str, t.Any]:
    """POST Edit Schedule signed by hand with ``sc`` = ``settings`` (JSON-encoded)."""
    url = f"{sim.url}/v2/schedules/{KEY}/edit"
    sc = settings if isinstance(settings, str) else json.dumps(settings)
    query = signed_query(
        public_key=PUBLIC,
        private_key=private_key,
        method="POST",
        url=url,
        params={"sc": sc},
        timestamp=int(time.time()),
    )
    body: dict[str, t.Any] = requests.post(f"{url}?{query}", timeout=5).json()
    return body


def test_keyed_url_appends_the_access_key_once() -> None:
    assert keyed_url(CALLBACK, KEY) == f"{CALLBACK}&accessKey={KEY}"
    assert keyed_url(f"{CALLBACK}&accessKey=old", KEY) == f"{CALLBACK}&accessKey={KEY}"


def test_configure_test_sets_the_notification_and_exit_urls(sim: ServedApp) -> None:
    mettl = adapter(sim)
    assert isinstance(mettl, VendorConfigurer)

    lines = mettl.configure_test(KEY, URLS)

    schedule = stored(sim)
    keyed = f"{CALLBACK}&accessKey={KEY}"
    assert schedule["testFinishNotificationUrl"] == keyed
    assert schedule["testGradedNotificationUrl"] == keyed
    assert schedule["exitRedirectionUrl"] == EXIT
    assert schedule["name"] == "Java test"
    assert lines == [
        f"Mettl schedule {KEY}: testFinishNotificationUrl = {keyed}",
        f"Mettl schedule {KEY}: testGradedNotificationUrl = {keyed}",
        f"Mettl schedule {KEY}: exitRedirectionUrl = {EXIT}",
    ]
    assert mettl.configure_test(KEY, URLS) == lines  # idempotent


def test_configure_test_of_an_unknown_schedule_is_not_found(sim: ServedApp) -> None:
    with pytest.raises(NotFoundError, match="E404"):
        adapter(sim).configure_test("nosuchkey", URLS)
    assert stored(sim)["exitRedirectionUrl"] is None


def test_configure_test_with_a_wrong_key_is_refused_and_changes_nothing(sim: ServedApp) -> None:
    with pytest.raises(AuthError, match="E401"):
        adapter(sim, private_key="wrong").configure_test(KEY, URLS)
    assert stored(sim)["testGradedNotificationUrl"] is None


def test_a_relative_exit_url_is_refused(sim: ServedApp) -> None:
    bad = CompletionUrls(notification_url=CALLBACK, exit_url="/return/finished/7")
    with pytest.raises(VendorRefusedError, match="exitRedirectionUrl"):
        adapter(sim).configure_test(KEY, bad)
    assert stored(sim)["testFinishNotificationUrl"] is None


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"exitRedirectionUrl": EXIT}, "sourceApp is mandatory"),
        ({"sourceApp": "x", "exitRedirectionUrl": "ftp://bridge.example/x"}, "exitRedirectionUrl"),
        ({"sourceApp": "x", "testGradedNotificationUrl": 5}, "testGradedNotificationUrl"),
        ({"sourceApp": "x", "testStartNotificationUrl": "http:// x"}, "testStartNotificationUrl"),
        ({"sourceApp": "x", "exitUrl": EXIT}, "Unknown schedule settings: exitUrl"),
        ({"sourceApp": "x", "name": ""}, "name"),
        ("[]", "JSON object"),
        ("{not json", "JSON object"),
    ],
)
def test_the_simulator_checks_sc(sim: ServedApp, settings: t.Any, problem: str) -> None:
    answer = edit(sim, settings)

    assert answer["status"] == "ERROR" and answer["error"]["code"] == "E400"
    assert problem in answer["error"]["message"]
    assert stored(sim)["exitRedirectionUrl"] is None


def test_the_simulator_checks_the_signature_of_an_edit(sim: ServedApp) -> None:
    answer = edit(sim, {"sourceApp": "x", "exitRedirectionUrl": EXIT}, private_key="wrong")
    assert answer["error"]["code"] == "E401"
    unsigned = requests.post(
        f"{sim.url}/v2/schedules/{KEY}/edit?"
        + urllib.parse.urlencode({"sc": json.dumps({"sourceApp": "x"})}),
        timeout=5,
    ).json()
    assert unsigned["error"]["code"] == "E504"
    assert stored(sim)["exitRedirectionUrl"] is None


def test_an_edit_changes_only_the_keys_given_and_empty_clears(sim: ServedApp) -> None:
    adapter(sim).configure_test(KEY, URLS)

    answer = edit(sim, {"sourceApp": "x", "name": "Renamed", "testGradedNotificationUrl": ""})

    assert answer["status"] == "SUCCESS" and answer["editedSchedule"]["name"] == "Renamed"
    schedule = stored(sim)
    assert schedule["testGradedNotificationUrl"] is None
    assert schedule["testFinishNotificationUrl"] == f"{CALLBACK}&accessKey={KEY}"
    assert schedule["exitRedirectionUrl"] == EXIT
