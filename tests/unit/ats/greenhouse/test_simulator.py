"""Strictness of the Greenhouse simulator, exercised with plain HTTP."""

from __future__ import annotations

import typing as t
import urllib.parse

import pytest
import requests

from plugin.sandbox.ats.greenhouse import SandboxGreenhouseError
from tests.unit.ats.greenhouse.helpers import CLIENT_ID
from tests.unit.ats.greenhouse.helpers import CLIENT_SECRET
from tests.unit.ats.greenhouse.helpers import EMAIL
from tests.unit.ats.greenhouse.helpers import USER_ID
from tests.unit.vendors.helpers import Clock

if t.TYPE_CHECKING:
    from plugin.sandbox.ats.greenhouse import SandboxGreenhouse
    from tests.unit.ats.greenhouse.conftest import MakeSim

GRANT = {"grant_type": "client_credentials", "sub": str(USER_ID)}


def token_request(sim: SandboxGreenhouse, **kwargs: t.Any) -> requests.Response:
    kwargs.setdefault("data", GRANT)
    kwargs.setdefault("auth", (CLIENT_ID, CLIENT_SECRET))
    return requests.post(sim.token_url, timeout=5, **kwargs)


def bearer(sim: SandboxGreenhouse) -> dict[str, str]:
    response = token_request(sim)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def api(
    sim: SandboxGreenhouse, method: str, path: str, headers: dict[str, str], **kwargs: t.Any
) -> requests.Response:
    return requests.request(method, sim.url + path, headers=headers, timeout=5, **kwargs)


def assert_oauth_error(response: requests.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"] == error


def field_errors(response: requests.Response) -> list[dict[str, str]]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["message"] == "Validation error"
    return t.cast("list[dict[str, str]]", body["errors"])


class TestTokenEndpoint:
    def test_issues_a_bearer_token(self, sim: SandboxGreenhouse) -> None:
        body = token_request(sim).json()

        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 3600
        assert body["access_token"]

    def test_wrong_secret_is_401(self, sim: SandboxGreenhouse) -> None:
        response = token_request(sim, auth=(CLIENT_ID, "nope"))

        assert_oauth_error(response, 401, "invalid_client")
        assert response.headers["WWW-Authenticate"].startswith("Basic")

    def test_missing_client_authentication_is_400(self, sim: SandboxGreenhouse) -> None:
        assert_oauth_error(token_request(sim, auth=None), 400, "invalid_client")

    def test_secret_in_the_form_is_refused(self, sim: SandboxGreenhouse) -> None:
        form = {**GRANT, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
        assert_oauth_error(token_request(sim, auth=None, data=form), 400, "invalid_request")

    @pytest.mark.parametrize(
        ("form", "error"),
        [
            ({"sub": str(USER_ID)}, "invalid_request"),
            ({"grant_type": "password", "sub": str(USER_ID)}, "unsupported_grant_type"),
            ({"grant_type": "client_credentials"}, "invalid_request"),
            ({"grant_type": "client_credentials", "sub": "78"}, "invalid_grant"),
        ],
    )
    def test_form_is_checked(
        self, sim: SandboxGreenhouse, form: dict[str, str], error: str
    ) -> None:
        assert_oauth_error(token_request(sim, data=form), 400, error)

    def test_json_body_is_refused(self, sim: SandboxGreenhouse) -> None:
        assert_oauth_error(token_request(sim, data=None, json=GRANT), 400, "invalid_request")


class TestBearer:
    @pytest.mark.parametrize("header", [{}, {"Authorization": "Bearer forged"}])
    def test_missing_or_unknown_token_is_401(
        self, sim: SandboxGreenhouse, header: dict[str, str]
    ) -> None:
        response = api(sim, "GET", "/v3/custom_fields?field_type=candidate", header)

        assert response.status_code == 401
        assert response.json()["message"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")

    def test_basic_auth_is_not_a_bearer_token(self, sim: SandboxGreenhouse) -> None:
        response = requests.get(
            f"{sim.url}/v3/candidates", auth=(CLIENT_ID, CLIENT_SECRET), timeout=5
        )
        assert response.status_code == 401

    def test_expired_token_is_401(self, make_sim: MakeSim) -> None:
        clock = Clock()
        sim = make_sim(clock=clock, token_lifetime=60)
        headers = bearer(sim)
        assert api(sim, "GET", "/v3/candidates", headers).status_code == 200

        clock.now += 60
        assert api(sim, "GET", "/v3/candidates", headers).status_code == 401


class TestCustomFieldWrites:
    @pytest.fixture
    def target(self, sim: SandboxGreenhouse) -> tuple[SandboxGreenhouse, dict[str, str], int]:
        sim.add_field("Score", "number", name_key="score")
        sim.add_field("Passed", "yes_no", name_key="passed")
        sim.add_field("Taken", "date", name_key="taken")
        sim.add_field("Report", "url", name_key="report")
        sim.add_field("Notes", "long_text", name_key="notes")
        sim.add_field("Level", "single_select", name_key="level", options=["Junior", "Senior"])
        gone = sim.add_field("Old", "number", name_key="old")
        sim.delete_field(gone["id"])
        return sim, bearer(sim), sim.add_candidate(EMAIL)

    def patch(
        self, target: tuple[SandboxGreenhouse, dict[str, str], int], body: t.Any
    ) -> requests.Response:
        sim, headers, candidate_id = target
        return api(sim, "PATCH", f"/v3/candidates/{candidate_id}", headers, json=body)

    def test_valid_values_are_stored(
        self, target: tuple[SandboxGreenhouse, dict[str, str], int]
    ) -> None:
        sim, _, candidate_id = target
        level = next(f for f in sim_fields(target) if f["name_key"] == "level")
        senior = level["custom_field_options"][1]["id"]
        elements = [
            {"name_key": "score", "value": 81.5},
            {"name_key": "passed", "value": False},
            {"name_key": "taken", "value": "2025-02-28"},
            {"name_key": "report", "value": "https://r.example.org/1"},
            {"id": level["id"], "value": senior},
        ]

        response = self.patch(target, {"custom_fields": elements})

        assert response.status_code == 200, response.text
        assert sim.candidate(candidate_id)["custom_fields"] == {
            "score": 81.5,
            "passed": False,
            "taken": "2025-02-28",
            "report": "https://r.example.org/1",
            "level": "Senior",
        }

    @pytest.mark.parametrize(
        ("element", "message"),
        [
            ({"name_key": "score", "value": "81"}, "must be a number"),
            ({"name_key": "score", "value": True}, "must be a number"),
            ({"name_key": "passed", "value": "true"}, "must be true or false"),
            ({"name_key": "taken", "value": "2025-02-30"}, "is not a valid date"),
            ({"name_key": "taken", "value": "2025-02-28T10:00:00Z"}, "YYYY-MM-DD"),
            ({"name_key": "report", "value": "http://r.example.org/1"}, "absolute https URL"),
            ({"name_key": "report", "value": "/r/1"}, "absolute https URL"),
            ({"name_key": "level", "value": "senior"}, "exact name"),
            ({"name_key": "level", "value": 1}, "exact name"),
            ({"name_key": "notes", "value": ""}, "must not be blank"),
            ({"name_key": "notes", "value": None}, "must not be blank"),
            ({"name_key": "notes", "delete_value": True}, 'the string "true"'),
            ({"name_key": "notes", "value": "x", "delete_value": "true"}, "either value"),
            ({"name_key": "score", "value": 1, "unit": "USD"}, "currency"),
            ({"name_key": "score", "id": 1, "value": 1}, "exactly one of id and name_key"),
            ({"name_key": "score", "value": 1, "label": "x"}, "unknown parameter"),
            ({"name_key": "nope", "value": 1}, "not found"),
            ({"name_key": "old", "value": 1}, "inactive"),
        ],
    )
    def test_invalid_elements_are_422_naming_the_field(
        self,
        target: tuple[SandboxGreenhouse, dict[str, str], int],
        element: dict[str, t.Any],
        message: str,
    ) -> None:
        sim, _, candidate_id = target
        response = self.patch(
            target, {"custom_fields": [{"name_key": "score", "value": 1}, element]}
        )

        [error] = field_errors(response)
        assert message in error["message"]
        assert error["field"] == str(element.get("name_key"))
        assert sim.candidate(candidate_id)["custom_fields"] == {}  # nothing applied

    def test_option_name_selects_the_option(
        self, target: tuple[SandboxGreenhouse, dict[str, str], int]
    ) -> None:
        sim, _, candidate_id = target
        assert self.patch(target, {"custom_fields": [{"name_key": "level", "value": "Junior"}]}).ok
        assert sim.candidate(candidate_id)["custom_fields"] == {"level": "Junior"}

    def test_delete_value_clears(
        self, target: tuple[SandboxGreenhouse, dict[str, str], int]
    ) -> None:
        sim, _, candidate_id = target
        assert self.patch(target, {"custom_fields": [{"name_key": "score", "value": 3}]}).ok

        response = self.patch(
            target, {"custom_fields": [{"name_key": "score", "delete_value": "true"}]}
        )

        assert response.ok
        assert sim.candidate(candidate_id)["custom_fields"] == {}

    def test_keys_besides_custom_fields_are_refused(
        self, target: tuple[SandboxGreenhouse, dict[str, str], int]
    ) -> None:
        sim, _, candidate_id = target
        body = {"custom_fields": [{"name_key": "score", "value": 1}], "email_addresses": []}

        errors = field_errors(self.patch(target, body))

        assert [error["field"] for error in errors] == ["email_addresses"]
        assert sim.candidate(candidate_id)["custom_fields"] == {}

    def test_unknown_candidate_is_404(
        self, target: tuple[SandboxGreenhouse, dict[str, str], int]
    ) -> None:
        sim, headers, _ = target
        response = api(sim, "PATCH", "/v3/candidates/1", headers, json={"custom_fields": []})
        assert response.status_code == 404


def sim_fields(target: tuple[SandboxGreenhouse, dict[str, str], int]) -> list[dict[str, t.Any]]:
    sim, headers, _ = target
    response = api(sim, "GET", "/v3/custom_fields?field_type=candidate", headers)
    assert response.status_code == 200
    return t.cast("list[dict[str, t.Any]]", response.json())


class TestListsAndNotes:
    def test_cursor_paging_and_its_rules(self, make_sim: MakeSim) -> None:
        sim = make_sim()
        ids = [sim.add_candidate(EMAIL) for _ in range(3)]
        sim.add_candidate("other@example.org")
        headers = bearer(sim)

        first = api(sim, "GET", f"/v3/candidates?email={EMAIL}&per_page=2", headers)
        next_url = first.links["next"]["url"]
        second = requests.get(next_url, headers=headers, timeout=5)

        assert [c["id"] for c in first.json()] == ids[:2]
        assert [c["id"] for c in second.json()] == ids[2:]
        assert "next" not in second.links
        assert list(urllib.parse.parse_qs(urllib.parse.urlsplit(next_url).query)) == ["cursor"]
        mixed = requests.get(f"{next_url}&per_page=2", headers=headers, timeout=5)
        assert mixed.status_code == 422
        forged = api(sim, "GET", "/v3/candidates?cursor=eyJ4IjoxfQ", headers)
        assert forged.status_code == 422

    @pytest.mark.parametrize(
        "query", ["per_page=0", "per_page=501", "page=2", "job_id=x", "email=a@b.c&skip=1"]
    )
    def test_bad_list_parameters_are_422(self, sim: SandboxGreenhouse, query: str) -> None:
        response = api(sim, "GET", f"/v3/candidates?{query}", bearer(sim))
        assert response.status_code == 422, response.text

    def test_custom_fields_need_a_known_field_type(self, sim: SandboxGreenhouse) -> None:
        headers = bearer(sim)
        assert api(sim, "GET", "/v3/custom_fields", headers).status_code == 422
        assert api(sim, "GET", "/v3/custom_fields?field_type=people", headers).status_code == 422

    def test_inactive_fields_only_when_asked(self, sim: SandboxGreenhouse) -> None:
        sim.add_field("A", "number")
        gone = sim.add_field("B", "number")
        sim.delete_field(gone["id"])
        headers = bearer(sim)

        active = api(sim, "GET", "/v3/custom_fields?field_type=candidate", headers).json()
        every = api(
            sim, "GET", "/v3/custom_fields?field_type=candidate&include_inactive=true", headers
        ).json()

        assert [f["name_key"] for f in active] == ["a"]
        assert [(f["name_key"], f["active"]) for f in every] == [("a", True), ("b", False)]

    def test_notes_are_checked_and_stored(self, sim: SandboxGreenhouse) -> None:
        candidate_id = sim.add_candidate(EMAIL)
        headers = bearer(sim)
        note = {
            "candidate_id": candidate_id,
            "user_id": USER_ID,
            "body": "Assessment result: Score: 80",
            "visibility": "admin_only",
        }

        assert api(sim, "POST", "/v3/notes", headers, json=note).status_code == 201
        for bad in (
            {**note, "user_id": 78},
            {**note, "visibility": "team"},
            {**note, "body": " "},
            {**note, "candidate_id": str(candidate_id)},
            {**note, "subject": "x"},
        ):
            assert api(sim, "POST", "/v3/notes", headers, json=bad).status_code == 422, bad

        [stored] = sim.candidate(candidate_id)["notes"]
        assert stored["body"] == note["body"]


class TestRateLimitAndControl:
    def test_headers_on_every_answer_and_429_past_the_limit(self, make_sim: MakeSim) -> None:
        clock = Clock()
        sim = make_sim(rate_limit=2, window_seconds=10, clock=clock)
        headers = bearer(sim)

        answers = [api(sim, "GET", "/v3/candidates?per_page=0", headers) for _ in range(3)]

        assert [a.status_code for a in answers] == [422, 422, 429]
        assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["1", "0", "0"]
        assert {a.headers["X-RateLimit-Limit"] for a in answers} == {"2"}
        limited = answers[2]
        assert limited.headers["Retry-After"] == "10"
        assert int(limited.headers["X-RateLimit-Reset"]) >= clock.now + 10 - 1
        assert sim.stats()["rate_limited"] == 1

        clock.now += 10
        assert api(sim, "GET", "/v3/candidates", headers).status_code == 200

    def test_each_token_has_its_own_window(self, make_sim: MakeSim) -> None:
        sim = make_sim(rate_limit=1)
        first, second = bearer(sim), bearer(sim)

        assert api(sim, "GET", "/v3/candidates", first).status_code == 200
        assert api(sim, "GET", "/v3/candidates", first).status_code == 429
        assert api(sim, "GET", "/v3/candidates", second).status_code == 200

    def test_faults_spare_the_control_api(self, sim: SandboxGreenhouse) -> None:
        sim.set_faults(error_rate=1.0, seed=1)

        assert sim.add_candidate(EMAIL)
        assert token_request(sim).status_code in {500, 503}

    def test_reset_forgets_everything(self, sim: SandboxGreenhouse) -> None:
        candidate_id = sim.add_candidate(EMAIL)
        headers = bearer(sim)
        sim.reset()

        with pytest.raises(SandboxGreenhouseError) as caught:
            sim.candidate(candidate_id)
        assert caught.value.status == 404
        assert api(sim, "GET", "/v3/candidates", headers).status_code == 401
        assert sim.stats() == {
            "requests": {"GET /v3/candidates": 1},
            "token_requests": 0,
            "tokens_issued": 0,
            "rate_limited": 0,
        }

    def test_control_api_validates_input(self, sim: SandboxGreenhouse) -> None:
        with pytest.raises(SandboxGreenhouseError, match="value_type"):
            sim.add_field("X", "multi_select")
        with pytest.raises(SandboxGreenhouseError, match="options"):
            sim.add_field("X", "single_select")
        sim.add_field("X", "number")
        with pytest.raises(SandboxGreenhouseError, match="already used"):
            sim.add_field("x", "number")
