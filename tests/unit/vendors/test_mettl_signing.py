"""Mettl ak/ts/asgn signing: the vendor's worked examples and round trips."""

from __future__ import annotations

import typing as t
import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plugin.sandbox.vendors.mettl.auth import sign as simulator_sign
from plugin.vendors.mettl.signing import signature
from plugin.vendors.mettl.signing import signed_query
from plugin.vendors.mettl.signing import string_to_sign

PUBLIC = "ab12c345-6789-0123-456d-78e9f0123456"
PRIVATE = "zy98x765-4321-0987-654w-32v1u0987654"
TS = "1635976200"
CANDIDATES = "https://api.mettl.com/v2/schedules/0x0x0x0x0x/candidates"


def encoded(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def test_seed_vector_with_mandatory_parameters() -> None:
    params = {"ak": PUBLIC, "ts": TS}

    assert string_to_sign("GET", CANDIDATES, params) == f"GET{CANDIDATES}\n{PUBLIC}\n{TS}"
    assert (
        encoded(signature(PRIVATE, "GET", CANDIDATES, params))
        == "vtf9LV80jVBq6bzBGnhQbku%2BqfM%2BiCC5i2Lbxk%2FArUM%3D"
    )


def test_seed_vector_with_all_optional_parameters() -> None:
    params = {
        "ak": PUBLIC,
        "ts": TS,
        "ir": '{"recommendation":true}',
        "qr": "true",
        "limit": "10",
        "offset": "20",
        "sort": "name",
        "sort_order": "asc",
    }

    expected_text = (
        f'GET{CANDIDATES}\n{PUBLIC}\n{{"recommendation":true}}\n10\n20\ntrue\nname\nasc\n{TS}'
    )
    assert string_to_sign("GET", CANDIDATES, params) == expected_text
    assert (
        encoded(signature(PRIVATE, "GET", CANDIDATES, params))
        == "BCPevoXzusbBGiWsfONNvmXaxHKMMWJPm1jVrL3TELc%3D"
    )


def test_account_info_vector_matches_the_published_prefix() -> None:
    query = signed_query(
        public_key=PUBLIC,
        private_key=PRIVATE,
        method="GET",
        url="https://api.mettl.com/v2/account",
        params={},
        timestamp=int(TS),
    )

    asgn = urllib.parse.parse_qs(query)["asgn"][0]
    assert encoded(asgn).startswith("v4%2BlYYoZTdo")
    assert asgn == "v4+lYYoZTdoeFV9XSTehS1MLRpBmjTRqQqKGizlHIN8="
    assert query == f"ak={PUBLIC}&ts={TS}&asgn=v4%2BlYYoZTdoeFV9XSTehS1MLRpBmjTRqQqKGizlHIN8%3D"


def test_asgn_itself_is_not_signed() -> None:
    params = {"ak": PUBLIC, "ts": TS}

    with_signature = {**params, "asgn": "anything"}
    assert string_to_sign("GET", CANDIDATES, with_signature) == string_to_sign(
        "GET", CANDIDATES, params
    )


@pytest.mark.parametrize(
    "change",
    [
        {"method": "POST"},
        {"url": CANDIDATES + "/ada@example.org"},
        {"key": PRIVATE + "x"},
        {"params": {"ak": PUBLIC, "ts": "1635976201"}},
    ],
)
def test_every_signed_part_changes_the_signature(change: dict[str, t.Any]) -> None:
    base = {"key": PRIVATE, "method": "GET", "url": CANDIDATES, "params": {"ak": PUBLIC, "ts": TS}}
    changed = {**base, **change}

    assert signature(
        changed["key"], changed["method"], changed["url"], changed["params"]
    ) != signature(PRIVATE, "GET", CANDIDATES, base["params"])


def test_query_values_are_url_encoded_but_signed_raw() -> None:
    params = {"rd": '{"registrationDetails":[{"First Name":"Ada Lovelace"}]}'}
    query = signed_query(
        public_key=PUBLIC,
        private_key=PRIVATE,
        method="POST",
        url=CANDIDATES,
        params=params,
        timestamp=int(TS),
    )

    decoded = dict(urllib.parse.parse_qsl(query))
    assert "%22First%20Name%22" in query
    assert decoded["rd"] == params["rd"]
    assert decoded["asgn"] == signature(
        PRIVATE, "POST", CANDIDATES, {**params, "ak": PUBLIC, "ts": TS}
    )


@given(
    params=st.dictionaries(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8),
        st.text(max_size=30),
        max_size=6,
    ),
    method=st.sampled_from(["GET", "POST", "DELETE"]),
)
def test_client_and_simulator_sign_alike(params: dict[str, str], method: str) -> None:
    assert signature(PRIVATE, method, CANDIDATES, params) == simulator_sign(
        PRIVATE, method, CANDIDATES, params
    )
