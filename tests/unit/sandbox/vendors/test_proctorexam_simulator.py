"""The ProctorExam simulator is strict: token, signature, timestamp, nonce, paging and
filters, and a student exam room that ends the exam without calling anyone."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import typing as t

import pytest
import requests
from flask import Flask

from plugin.sandbox.server import serve_app
from plugin.sandbox.vendors.proctorexam import create_proctorexam_app
from tests.unit.vendors.helpers import Clock

if t.TYPE_CHECKING:
    from collections.abc import Iterator
    from collections.abc import Mapping

    from plugin.sandbox.server import ServedApp

TOKEN = "sim-token"
SECRET = "sim-secret"
DENIED = {"error": "You are not authorized to access this page."}
_NONCES = itertools.count(int(time.time() * 1000))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    app = Flask(__name__)

    def hook() -> str:
        hits.append("hit")
        return "ok"

    app.add_url_rule("/hook", "hook", hook, methods=["GET", "POST"])
    with serve_app(app) as served:
        yield served.url + "/hook", hits


@pytest.fixture
def sim(clock: Clock, receiver: tuple[str, list[str]]) -> Iterator[ServedApp]:
    app = create_proctorexam_app(
        api_token=TOKEN, secret_key=SECRET, clock=clock, callback_url=receiver[0]
    )
    with serve_app(app) as served:
        yield served


def call(
    sim: ServedApp,
    method: str,
    path: str,
    *,
    ids: Mapping[str, object] | None = None,
    params: Mapping[str, object] | None = None,
    nonce: object = None,
    timestamp: object = None,
    secret: str = SECRET,
    token: str = TOKEN,
    signed_extra: Mapping[str, object] | None = None,
    drop: str | None = None,
    accept: str = "application/vnd.procwise.v3",
) -> requests.Response:
    """A request signed by hand; each part overridable to test refusals."""
    sent: dict[str, object] = {
        **(params or {}),
        "nonce": next(_NONCES) if nonce is None else nonce,
        "timestamp": int(time.time() * 1000) if timestamp is None else timestamp,
    }
    signed = {**sent, **(ids or {}), **(signed_extra or {})}
    text = "?".join(f"{k}={signed[k]}" for k in sorted(signed))
    sent["signature"] = hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()
    if drop:
        sent.pop(drop)
    headers = {"Accept": accept, "Authorization": f"Token token={token}"}
    url = sim.url + "/api/v3" + path
    if method == "GET":
        query = {name: str(value) for name, value in sent.items()}
        return requests.get(url, params=query, headers=headers, timeout=5)
    return requests.request(method, url, json=sent, headers=headers, timeout=5)


def new_exam(sim: ServedApp, **fields: t.Any) -> int:
    return int(requests.post(f"{sim.url}/sandbox/exams", json=fields, timeout=5).json()["id"])


def add_student(sim: ServedApp, exam_id: int, email: str) -> requests.Response:
    return call(
        sim,
        "POST",
        f"/exams/{exam_id}/student_sessions",
        ids={"exam_id": exam_id},
        params={"name": "Stu", "email": email},
    )


class TestSignature:
    def test_a_correct_call_passes(self, sim: ServedApp) -> None:
        answer = call(sim, "GET", "/exams")
        assert answer.status_code == 200
        assert answer.json() == {"exams": []}
        assert answer.headers["X-Pagination-Limit"] == "300"

    @pytest.mark.parametrize(
        "change",
        [
            {"token": "other"},
            {"secret": "other"},
            {"signed_extra": {"page": 2}},
        ],
    )
    def test_wrong_credentials_or_signature_are_refused(
        self, sim: ServedApp, change: dict[str, t.Any]
    ) -> None:
        answer = call(sim, "GET", "/exams", **change)
        assert (answer.status_code, answer.json()) == (403, DENIED)

    def test_the_path_id_is_signed(self, sim: ServedApp) -> None:
        exam_id = new_exam(sim)
        assert call(sim, "GET", f"/exams/{exam_id}", ids={"id": exam_id}).status_code == 200
        assert call(sim, "GET", f"/exams/{exam_id}").status_code == 403
        other = call(sim, "GET", f"/exams/{exam_id}", ids={"id": exam_id + 1})
        assert other.status_code == 403

    def test_a_signed_value_cannot_be_changed(self, sim: ServedApp) -> None:
        answer = call(sim, "GET", "/exams", params={"page": 1}, signed_extra={"page": 1})
        assert answer.status_code == 200
        tampered = call(sim, "GET", "/exams", params={"limit": 10}, signed_extra={"limit": 20})
        assert tampered.status_code == 403

    @pytest.mark.parametrize("shift_ms", [-300_001, 300_001])
    def test_a_stale_or_future_timestamp_is_refused(
        self, sim: ServedApp, clock: Clock, shift_ms: int
    ) -> None:
        clock.now = float(int(clock.now))
        edge = int(clock.now * 1000) + (300_000 if shift_ms > 0 else -300_000)
        assert call(sim, "GET", "/exams", timestamp=edge).status_code == 200
        answer = call(sim, "GET", "/exams", timestamp=int(clock.now * 1000) + shift_ms)
        assert (answer.status_code, answer.json()) == (403, DENIED)

    def test_a_reused_nonce_is_refused_for_a_day(self, sim: ServedApp, clock: Clock) -> None:
        assert call(sim, "GET", "/exams", nonce=777).status_code == 200
        assert call(sim, "GET", "/exams", nonce=777).status_code == 403
        clock.now += 23 * 3600
        stamp = int(clock.now * 1000)
        assert call(sim, "GET", "/exams", nonce=777, timestamp=stamp).status_code == 403
        clock.now += 3600 + 1
        stamp = int(clock.now * 1000)
        assert call(sim, "GET", "/exams", nonce=777, timestamp=stamp).status_code == 200

    def test_a_refused_call_does_not_use_up_its_nonce(self, sim: ServedApp) -> None:
        assert call(sim, "GET", "/exams", nonce=888, secret="bad").status_code == 403
        assert call(sim, "GET", "/exams", nonce=888).status_code == 200

    @pytest.mark.parametrize("name", ["nonce", "timestamp", "signature"])
    def test_missing_params_are_refused(self, sim: ServedApp, name: str) -> None:
        answer = call(sim, "GET", "/exams", drop=name)
        assert answer.status_code == 422
        assert answer.json() == {"error": f"Param is missing or the value is empty: {name}"}

    @pytest.mark.parametrize(("nonce", "timestamp"), [("abc", None), (None, "soon")])
    def test_non_numeric_nonce_or_timestamp(
        self, sim: ServedApp, nonce: object, timestamp: object
    ) -> None:
        answer = call(sim, "GET", "/exams", nonce=nonce, timestamp=timestamp)
        assert answer.status_code == 422
        assert "Must be a number" in answer.json()["error"]

    def test_the_api_version_must_be_asked_for(self, sim: ServedApp) -> None:
        assert call(sim, "GET", "/exams", accept="application/json").status_code == 406

    def test_a_post_is_signed_over_its_json_body(self, sim: ServedApp) -> None:
        exam_id = new_exam(sim)
        assert add_student(sim, exam_id, "a@x.org").status_code == 201
        forged = call(
            sim,
            "POST",
            f"/exams/{exam_id}/student_sessions",
            ids={"exam_id": exam_id},
            params={"name": "Stu", "email": "b@x.org"},
            signed_extra={"email": "c@x.org"},
        )
        assert forged.status_code == 403


class TestContract:
    @pytest.mark.parametrize(
        "params",
        [
            {"limit": 301},
            {"limit": 0},
            {"page": 0},
            {"page": "x"},
            {"status": "finished"},
            {"filter": "{bad json"},
            {"filter": '{"token":{"eq":"x"}}'},
            {"filter": '{"id":{"like":1}}'},
            {"filter": '{"updated_at":{"gte":"yesterday"}}'},
            {"sort": '{"id":"asc"}'},
            {"sort": '[{"id":"up"}]'},
        ],
    )
    def test_bad_listing_params_are_refused(self, sim: ServedApp, params: dict[str, t.Any]) -> None:
        exam_id = new_exam(sim)
        answer = call(
            sim,
            "GET",
            f"/exams/{exam_id}/student_sessions",
            ids={"exam_id": exam_id},
            params=params,
        )
        assert answer.status_code == 422
        assert "error" in answer.json()

    def test_paging_headers(self, sim: ServedApp) -> None:
        exam_id = new_exam(sim)
        for n in range(5):
            add_student(sim, exam_id, f"s{n}@x.org")
        path, ids = f"/exams/{exam_id}/student_sessions", {"exam_id": exam_id}
        answer = call(sim, "GET", path, ids=ids, params={"page": 3, "limit": 2})
        assert [s["email"] for s in answer.json()["students"]] == ["s4@x.org"]
        assert {k: v for k, v in answer.headers.items() if k.startswith("X-Pagination")} == {
            "X-Pagination-Item-Count": "5",
            "X-Pagination-Page-Count": "3",
            "X-Pagination-Page": "3",
            "X-Pagination-Limit": "2",
        }
        beyond = call(sim, "GET", path, ids=ids, params={"page": 4, "limit": 2})
        assert beyond.status_code == 200 and beyond.json()["students"] == []

    def test_filter_and_sort(self, sim: ServedApp, clock: Clock) -> None:
        exam_id = new_exam(sim)
        ids = [add_student(sim, exam_id, f"s{n}@x.org").json()["student"]["id"] for n in range(3)]
        clock.now += 1
        requests.post(f"{sim.url}/sandbox/attempts/{ids[0]}/complete", json={}, timeout=5)
        path = f"/exams/{exam_id}/student_sessions"
        newest = call(
            sim, "GET", path, ids={"exam_id": exam_id}, params={"sort": '[{"updated_at":"desc"}]'}
        )
        assert newest.json()["students"][0]["id"] == ids[0]
        since = newest.json()["students"][0]["updated_at"]
        recent = call(
            sim,
            "GET",
            path,
            ids={"exam_id": exam_id},
            params={"filter": json.dumps({"updated_at": {"gte": since}})},
        )
        assert [s["id"] for s in recent.json()["students"]] == [ids[0]]

    def test_duplicate_and_missing_fields(self, sim: ServedApp) -> None:
        exam_id = new_exam(sim)
        add_student(sim, exam_id, "a@x.org")
        again = add_student(sim, exam_id, "a@x.org")
        assert (again.status_code, again.json()) == (422, {"email": ["has already been taken"]})
        assert add_student(sim, new_exam(sim), "a@x.org").status_code == 201
        missing = call(
            sim,
            "POST",
            f"/exams/{exam_id}/student_sessions",
            ids={"exam_id": exam_id},
            params={"name": "Stu"},
        )
        assert missing.json() == {"error": "Param is missing or the value is empty: email"}

    def test_unknown_and_deleted_exams(self, sim: ServedApp) -> None:
        answer = call(sim, "GET", "/exams/99", ids={"id": 99})
        assert (answer.status_code, answer.json()) == (
            404,
            {"error": "Couldn't find Exam with 'id'=99"},
        )
        exam_id = new_exam(sim)
        student = add_student(sim, exam_id, "a@x.org").json()["student"]
        requests.patch(f"{sim.url}/sandbox/exams/{exam_id}", json={"status": "deleted"}, timeout=5)
        assert call(sim, "GET", f"/exams/{exam_id}", ids={"id": exam_id}).status_code == 404
        shown = call(sim, "GET", f"/student_sessions/{student['id']}", ids={"id": student["id"]})
        assert shown.status_code == 404
        deleted = call(sim, "GET", "/exams", params={"status": "deleted"})
        assert [e["id"] for e in deleted.json()["exams"]] == [exam_id]
        assert call(sim, "GET", "/exams").json()["exams"] == []


class TestExamRoom:
    def test_the_room_ends_the_exam_and_calls_nobody(
        self, sim: ServedApp, receiver: tuple[str, list[str]]
    ) -> None:
        exam_id = new_exam(sim, name="Final")
        student = add_student(sim, exam_id, "a@x.org").json()["student"]
        assert student["token"] is None
        sent = call(sim, "POST", f"/exams/{exam_id}/send_emails", ids={"id": exam_id})
        assert sent.json() == {"students": [{"id": student["id"], "status": "email_sent"}]}
        shown = call(sim, "GET", f"/student_sessions/{student['id']}", ids={"id": student["id"]})
        room = f"{sim.url}/student_sessions/{shown.json()['student']['token']}"
        assert "End exam" in requests.get(room, timeout=5).text
        started = requests.get(f"{sim.url}/sandbox/attempts/{student['id']}", timeout=5).json()
        assert (started["status"], started["entered_room"]) == ("exam_started", True)
        ended = requests.post(room, data={"webcam": "on", "alone": "no"}, timeout=5)
        assert "ended" in ended.text
        after = requests.get(f"{sim.url}/sandbox/attempts/{student['id']}", timeout=5).json()
        assert after["status"] == "exam_finished" and after["end_time"]
        assert (after["webcam_check"], after["microphone_check"]) == ("succeeded", "failed")
        assert after["incidents_count"] == 1
        assert after["reviewed"] == "00"
        assert receiver[1] == []
        assert "ended" in requests.get(room, timeout=5).text

    def test_unknown_room(self, sim: ServedApp) -> None:
        assert requests.get(f"{sim.url}/student_sessions/nope", timeout=5).status_code == 404

    def test_control_complete_and_review(self, sim: ServedApp) -> None:
        exam_id = new_exam(sim)
        sid = add_student(sim, exam_id, "a@x.org").json()["student"]["id"]
        base = f"{sim.url}/sandbox/attempts/{sid}"
        assert requests.post(f"{base}/review", json={}, timeout=5).status_code == 409
        done = requests.post(f"{base}/complete", json={"checks": {"webcam": False}}, timeout=5)
        assert (done.json()["status"], done.json()["webcam_check"]) == ("exam_finished", "failed")
        assert requests.post(f"{base}/complete", json={}, timeout=5).status_code == 409
        bad = requests.post(f"{base}/review", json={"reviewed": "1"}, timeout=5)
        assert bad.status_code == 400
        reviewed = requests.post(
            f"{base}/review",
            json={"reviewed": "11", "incidents": ["phone"], "review_commentary": "ok"},
            timeout=5,
        ).json()
        assert (reviewed["reviewed"], reviewed["incidents_count"]) == ("11", 1)
        assert reviewed["incidents"][0]["comment"] == "phone"

    def test_faults_spare_the_room_and_control_api(self, sim: ServedApp) -> None:
        exam_id = new_exam(sim)
        add_student(sim, exam_id, "a@x.org")
        call(sim, "POST", f"/exams/{exam_id}/send_emails", ids={"id": exam_id})
        token = requests.get(f"{sim.url}/sandbox/state", timeout=5).json()["students"][0]["token"]
        requests.put(f"{sim.url}/sandbox/faults", json={"rate_limit_rate": 1.0}, timeout=5)
        limited = call(sim, "GET", "/exams")
        assert (limited.status_code, limited.json()) == (429, {"error": "too many requests"})
        assert requests.get(f"{sim.url}/student_sessions/{token}", timeout=5).status_code == 200
