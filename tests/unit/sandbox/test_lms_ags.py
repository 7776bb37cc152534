from __future__ import annotations

import json
import typing as t

import pytest
import requests

if t.TYPE_CHECKING:
    from plugin.sandbox.lms import SandboxCourse
    from plugin.sandbox.lms import SandboxLms
    from tests.unit.sandbox.tooldouble import ToolDouble

AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
LINEITEM, READONLY = AGS + "lineitem", AGS + "lineitem.readonly"
SCORE, RESULTS = AGS + "score", AGS + "result.readonly"
CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json"
ITEM = "application/vnd.ims.lis.v2.lineitem+json"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
RESULTS_TYPE = "application/vnd.ims.lis.v2.resultcontainer+json"


class Ags:
    """Calls the AGS endpoints of one context with one bearer token."""

    def __init__(self, lms: SandboxLms, context_id: str, token: str) -> None:
        self.base = f"{lms.url}/api/contexts/{context_id}/lineitems"
        self.token = token

    def call(
        self,
        method: str,
        url: str,
        *,
        accept: str | None = None,
        content_type: str | None = None,
        body: t.Any = None,
        params: dict[str, t.Any] | None = None,
    ) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        if accept:
            headers["Accept"] = accept
        if content_type:
            headers["Content-Type"] = content_type
        data = None if body is None else json.dumps(body)
        return requests.request(method, url, headers=headers, data=data, params=params, timeout=10)

    def list(self, **params: t.Any) -> requests.Response:
        return self.call("GET", self.base, accept=CONTAINER, params=params)

    def create(self, body: dict[str, t.Any]) -> requests.Response:
        return self.call("POST", self.base, accept=ITEM, content_type=ITEM, body=body)

    def score(self, line_item_url: str, body: dict[str, t.Any]) -> requests.Response:
        return self.call("POST", line_item_url + "/scores", content_type=SCORE_TYPE, body=body)

    def results(self, line_item_url: str, **params: t.Any) -> requests.Response:
        return self.call("GET", line_item_url + "/results", accept=RESULTS_TYPE, params=params)


@pytest.fixture
def ags(
    lms: SandboxLms, tool: ToolDouble, registration: dict[str, t.Any], course: SandboxCourse
) -> Ags:
    return Ags(lms, course.context_id, tool.access_token(lms.url))


@pytest.fixture
def line_item_url(lms: SandboxLms, course: SandboxCourse) -> str:
    return f"{lms.url}/api/contexts/{course.context_id}/lineitems/{course.line_item_id}"


def _score(
    user_id: str, timestamp: str = "2024-05-01T10:00:00.100+00:00", **fields: t.Any
) -> dict[str, t.Any]:
    return {
        "userId": user_id,
        "scoreGiven": 7,
        "scoreMaximum": 10,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": timestamp,
        **fields,
    }


def test_line_item_lifecycle(ags: Ags, course: SandboxCourse) -> None:
    created = ags.create({"label": "Quiz 1", "scoreMaximum": 50, "tag": "quiz", "resourceId": "q1"})
    assert created.status_code == 201
    assert created.headers["Content-Type"] == ITEM
    item = created.json()
    assert item["id"].startswith(ags.base + "/")
    assert created.headers["Location"] == item["id"]
    assert (item["label"], item["scoreMaximum"], item["tag"]) == ("Quiz 1", 50, "quiz")

    fetched = ags.call("GET", item["id"], accept=ITEM)
    assert fetched.json() == item

    updated = ags.call(
        "PUT", item["id"], accept=ITEM, content_type=ITEM, body={**item, "label": "Quiz one"}
    )
    assert updated.status_code == 200
    assert updated.json()["label"] == "Quiz one"

    assert ags.call("DELETE", item["id"]).status_code == 204
    assert ags.call("GET", item["id"], accept=ITEM).status_code == 404


def test_line_items_filter_and_page_with_link_headers(ags: Ags, course: SandboxCourse) -> None:
    for number in range(5):
        ags.create(
            {
                "label": f"Item {number}",
                "scoreMaximum": 10,
                "tag": "even" if number % 2 == 0 else "odd",
            }
        )
    assert [i["tag"] for i in ags.list(tag="odd").json()] == ["odd", "odd"]
    linked = ags.list(resource_link_id=course.resource_link_id).json()
    assert [i["resourceLinkId"] for i in linked] == [course.resource_link_id]

    seen: list[str] = []
    response = ags.list(limit=2)
    pages = 0
    while True:
        pages += 1
        assert response.status_code == 200
        seen += [item["id"] for item in response.json()]
        if "next" not in response.links:
            break
        assert response.headers["Link"].endswith('; rel="next"')
        response = ags.call("GET", response.links["next"]["url"], accept=CONTAINER)
    assert pages == 3
    assert len(seen) == len(set(seen)) == 6


def test_scopes_are_enforced_per_endpoint(
    lms: SandboxLms,
    tool: ToolDouble,
    registration: dict[str, t.Any],
    course: SandboxCourse,
    line_item_url: str,
) -> None:
    reader = Ags(lms, course.context_id, tool.access_token(lms.url, READONLY))
    assert reader.list().status_code == 200
    assert reader.call("GET", line_item_url, accept=ITEM).status_code == 200
    denied = reader.create({"label": "x", "scoreMaximum": 1})
    assert denied.status_code == 403
    assert 'error="insufficient_scope"' in denied.headers["WWW-Authenticate"]
    assert reader.score(line_item_url, _score(course.learner_id)).status_code == 403
    assert reader.results(line_item_url).status_code == 403

    scorer = Ags(lms, course.context_id, tool.access_token(lms.url, SCORE))
    assert scorer.list().status_code == 403
    assert scorer.score(line_item_url, _score(course.learner_id)).status_code == 204
    results = Ags(lms, course.context_id, tool.access_token(lms.url, RESULTS))
    assert results.results(line_item_url).status_code == 200


@pytest.mark.parametrize("token", ["", "not-a-token"])
def test_missing_or_unknown_token_is_401(
    lms: SandboxLms, course: SandboxCourse, token: str
) -> None:
    response = Ags(lms, course.context_id, token).list()
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_media_types_are_enforced(ags: Ags, line_item_url: str, course: SandboxCourse) -> None:
    assert ags.call("GET", ags.base, accept="application/json").status_code == 406
    assert ags.call("GET", line_item_url, accept=CONTAINER).status_code == 406
    plain = ags.call(
        "POST", ags.base, content_type="application/json", body={"label": "x", "scoreMaximum": 1}
    )
    assert plain.status_code == 415
    wrong = ags.call(
        "POST", line_item_url + "/scores", content_type=ITEM, body=_score(course.learner_id)
    )
    assert wrong.status_code == 415
    assert ags.results(line_item_url).headers["Content-Type"] == RESULTS_TYPE
    assert ags.list().headers["Content-Type"] == CONTAINER


def test_scores_reach_the_gradebook_and_results(
    lms: SandboxLms, ags: Ags, course: SandboxCourse, line_item_url: str
) -> None:
    assert (
        ags.score(line_item_url, _score(course.learner_id, comment="well done")).status_code == 204
    )
    book = lms.gradebook(course.context_id)
    assert [i["id"] for i in book["line_items"]] == [line_item_url]
    [entry] = book["scores"]
    assert entry["user_id"] == course.learner_id
    assert entry["line_item_id"] == course.line_item_id
    assert (entry["scoreGiven"], entry["scoreMaximum"]) == (7, 10)

    [result] = ags.results(line_item_url).json()
    assert result == {
        "id": f"{line_item_url}/results/{course.learner_id}",
        "scoreOf": line_item_url,
        "userId": course.learner_id,
        "resultScore": 7,
        "resultMaximum": 10,
        "comment": "well done",
    }
    assert ags.results(line_item_url, user_id=course.instructor_id).json() == []


def test_older_or_equal_timestamps_conflict(
    lms: SandboxLms, ags: Ags, course: SandboxCourse, line_item_url: str
) -> None:
    first = "2024-05-01T10:00:00.500+00:00"
    assert ags.score(line_item_url, _score(course.learner_id, first)).status_code == 204
    same = ags.score(line_item_url, _score(course.learner_id, first, scoreGiven=9))
    assert same.status_code == 409
    older = ags.score(line_item_url, _score(course.learner_id, "2024-05-01T12:00:00.400+02:00"))
    assert older.status_code == 409
    newer = _score(course.learner_id, "2024-05-01T10:00:00.501Z", scoreGiven=9)
    assert ags.score(line_item_url, newer).status_code == 204
    assert ags.score(line_item_url, _score(course.instructor_id, first)).status_code == 204
    book = lms.gradebook(course.context_id)
    assert book["score_count"] == 3
    latest = {s["user_id"]: s["scoreGiven"] for s in book["scores"]}
    assert latest == {course.learner_id: 9, course.instructor_id: 7}


BAD_SCORES = {
    "activity": {"activityProgress": "Done"},
    "grading": {"gradingProgress": "Graded"},
    "negative": {"scoreGiven": -1},
    "no_maximum": {"scoreMaximum": None},
    "zero_maximum": {"scoreMaximum": 0},
    "no_fraction": {"timestamp": "2024-05-01T10:00:00+00:00"},
    "no_offset": {"timestamp": "2024-05-01T10:00:00.123"},
    "not_member": {"userId": "user-stranger"},
    "no_user": {"userId": None},
}


@pytest.mark.parametrize("fields", BAD_SCORES.values(), ids=BAD_SCORES.keys())
def test_bad_scores_are_400(
    ags: Ags, course: SandboxCourse, line_item_url: str, fields: dict[str, t.Any]
) -> None:
    body = {k: v for k, v in _score(course.learner_id, **fields).items() if v is not None}
    response = ags.score(line_item_url, body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_bad_line_items_are_400(ags: Ags) -> None:
    assert ags.create({"label": "", "scoreMaximum": 1}).status_code == 400
    assert ags.create({"label": "x", "scoreMaximum": 0}).status_code == 400
    assert (
        ags.create({"label": "x", "scoreMaximum": 1, "resourceLinkId": "rl-nope"}).status_code
        == 400
    )


def test_unknown_context_or_line_item_is_404(ags: Ags, lms: SandboxLms) -> None:
    assert ags.call("GET", ags.base + "/li-nope", accept=ITEM).status_code == 404
    other = Ags(lms, "ctx-nope", ags.token)
    assert other.list().status_code == 404
