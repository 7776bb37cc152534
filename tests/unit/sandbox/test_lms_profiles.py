"""The sandbox LMS's profiles: Moodle's and Canvas's departures from the specs, over HTTP."""

from __future__ import annotations

import datetime
import json
import typing as t
import urllib.parse

import jwt
import pytest
import requests

from plugin.sandbox.lms import SandboxLms
from plugin.sandbox.lms import create_lms_app
from plugin.sandbox.lms import serve_lms
from tests.unit.sandbox.tooldouble import authorization_request

if t.TYPE_CHECKING:
    from plugin.sandbox.lms import SandboxCourse
    from tests.unit.sandbox.tooldouble import ToolDouble

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
LIS = LTI + "lis"
BASIC_OUTCOME = "https://purl.imsglobal.org/spec/lti-bo/claim/basicoutcome"
CANVAS_SUBMISSION_TYPE = "https://canvas.instructure.com/lti/submission_type"
CANVAS_SUBMISSION = "https://canvas.instructure.com/lti/submission"
TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"
ITEM = "application/vnd.ims.lis.v2.lineitem+json"
SCORE = "application/vnd.ims.lis.v1.score+json"

LaunchFor = t.Callable[..., dict[str, t.Any]]
IssueIdToken = t.Callable[..., dict[str, str]]
moodle = pytest.mark.parametrize("lms_profile", ["moodle"])
canvas = pytest.mark.parametrize("lms_profile", ["canvas"])


def _stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="milliseconds")


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _score(user_id: str, timestamp: str, **fields: t.Any) -> dict[str, t.Any]:
    body = {
        "userId": user_id,
        "scoreGiven": 7,
        "scoreMaximum": 10,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": timestamp,
        **fields,
    }
    return {k: v for k, v in body.items() if v is not None}


def _scores_url(line_item_url: str) -> str:
    """``/scores`` appended to the path, the query kept (what a careful tool does)."""
    parts = urllib.parse.urlsplit(line_item_url)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path + "/scores"))


class Grader:
    """A tool's AGS calls with one bearer token."""

    def __init__(self, lms: SandboxLms, tool: ToolDouble) -> None:
        self.token = tool.access_token(lms.url)

    def post(self, url: str, body: dict[str, t.Any], media: str) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": media, "Accept": media}
        return requests.post(url, data=json.dumps(body), headers=headers, timeout=10)

    def get(self, url: str, media: str = ITEM) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": media}
        return requests.get(url, headers=headers, timeout=10)

    def score(self, line_item_url: str, body: dict[str, t.Any]) -> requests.Response:
        return self.post(_scores_url(line_item_url), body, SCORE)


@pytest.fixture
def grader(lms: SandboxLms, tool: ToolDouble, registration: dict[str, t.Any]) -> Grader:
    return Grader(lms, tool)


@pytest.fixture
def launch_claims(
    registration: dict[str, t.Any], launch_for: LaunchFor, issue_id_token: IssueIdToken
) -> dict[str, t.Any]:
    """The claims of a learner's launch of the course's graded link."""
    token = issue_id_token(launch_for())["id_token"]
    claims: dict[str, t.Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


# --- choosing a profile ------------------------------------------------------------------


@pytest.mark.parametrize("lms_profile", ["strict", "moodle", "canvas"])
def test_the_running_profile_is_shown(lms: SandboxLms, lms_profile: str) -> None:
    assert lms.profile() == lms_profile
    assert lms.profile_switches()["name"] == lms_profile


def test_strict_is_the_default() -> None:
    with serve_lms() as served:
        assert SandboxLms(served.url).profile() == "strict"


def test_an_unknown_profile_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="canvas, moodle, strict"):
        create_lms_app(profile="blackboard")


@pytest.mark.parametrize(("lms_profile", "family"), [("moodle", "moodle"), ("canvas", "canvas")])
def test_the_platform_names_its_product_family(
    lms: SandboxLms, launch_claims: dict[str, t.Any], family: str
) -> None:
    assert launch_claims[LTI + "tool_platform"]["product_family_code"] == family
    platform = lms.openid_configuration()[
        "https://purl.imsglobal.org/spec/lti-platform-configuration"
    ]
    assert platform["product_family_code"] == family


# --- Moodle ------------------------------------------------------------------------------


@pytest.mark.parametrize(("lms_profile", "status"), [("strict", 204), ("moodle", 409)])
def test_moodle_compares_score_timestamps_in_whole_seconds(
    grader: Grader, course: SandboxCourse, launch_claims: dict[str, t.Any], status: int
) -> None:
    line_item = launch_claims[AGS]["lineitem"]
    learner = course.learner_id
    assert grader.score(line_item, _score(learner, "2024-05-01T10:00:00.200+00:00")).ok
    same_second = grader.score(line_item, _score(learner, "2024-05-01T10:00:00.900+00:00"))
    assert same_second.status_code == status
    if status == 409:
        description = same_second.json()["error_description"]
        assert description.startswith("Refusing score with an earlier timestamp for item ")
        assert description.endswith(f" and user {learner}")
        equal = grader.score(line_item, _score(learner, "2024-05-01T10:00:00.200+00:00"))
        assert equal.status_code == 409
    assert grader.score(line_item, _score(learner, "2024-05-01T10:00:01.000+00:00")).ok


@pytest.mark.parametrize(("lms_profile", "status"), [("strict", 204), ("moodle", 409)])
def test_moodle_holds_an_ungraded_score_at_its_arrival(
    grader: Grader, course: SandboxCourse, launch_claims: dict[str, t.Any], status: int
) -> None:
    line_item = launch_claims[AGS]["lineitem"]
    started = _score(
        course.learner_id,
        "2024-05-01T10:00:00.000+00:00",
        scoreGiven=None,
        scoreMaximum=None,
        activityProgress="Started",
        gradingProgress="NotReady",
    )
    assert grader.score(line_item, started).ok
    graded_later_than_sent = _score(course.learner_id, "2024-05-01T11:00:00.000+00:00")
    assert grader.score(line_item, graded_later_than_sent).status_code == status
    after_arrival = _stamp(_now() + datetime.timedelta(seconds=2))
    assert grader.score(line_item, _score(course.learner_id, after_arrival)).ok


@pytest.mark.parametrize(("lms_profile", "second_status"), [("strict", 200), ("moodle", 400)])
def test_moodle_lets_a_message_hint_be_used_once(
    lms: SandboxLms,
    tool: ToolDouble,
    launch_for: LaunchFor,
    issue_id_token: IssueIdToken,
    second_status: int,
) -> None:
    launch = launch_for()
    issue_id_token(launch)
    params = authorization_request(launch["login_initiation"], tool.url + "/launch")
    again = requests.post(lms.url + "/auth", data=params, timeout=10)
    assert again.status_code == second_status
    if second_status == 400:
        assert again.headers["Content-Type"].startswith("text/html")
        assert "Invalid request" in again.text


@pytest.mark.parametrize(("lms_profile", "lifetime"), [("strict", 300), ("moodle", 60)])
def test_moodle_id_tokens_live_sixty_seconds(
    launch_claims: dict[str, t.Any], lifetime: int
) -> None:
    assert launch_claims["exp"] == launch_claims["iat"] + lifetime


@moodle
def test_moodle_line_item_urls_carry_the_tool_type(
    lms: SandboxLms,
    grader: Grader,
    registration: dict[str, t.Any],
    course: SandboxCourse,
    launch_claims: dict[str, t.Any],
) -> None:
    type_id = registration["deployment_id"]
    lineitems = f"{lms.url}/api/contexts/{course.context_id}/lineitems"
    line_item = f"{lineitems}/{course.line_item_id}/lineitem?type_id={type_id}"
    assert launch_claims[AGS]["lineitems"] == f"{lineitems}?type_id={type_id}"
    assert launch_claims[AGS]["lineitem"] == line_item
    assert grader.get(line_item).json()["id"] == line_item

    scores = f"{lineitems}/{course.line_item_id}/lineitem/scores?type_id={type_id}"
    assert _scores_url(line_item) == scores
    assert grader.post(scores, _score(course.learner_id, _stamp(_now())), SCORE).status_code == 204
    naive = grader.post(line_item + "/scores", _score(course.learner_id, _stamp(_now())), SCORE)
    assert naive.status_code == 404
    without_type = f"{lineitems}/{course.line_item_id}/lineitem/scores"
    assert (
        grader.post(without_type, _score(course.learner_id, _stamp(_now())), SCORE).status_code
        == 404
    )

    created = grader.post(
        launch_claims[AGS]["lineitems"], {"label": "Extra", "scoreMaximum": 5}, ITEM
    )
    assert created.status_code == 201
    assert created.headers["Location"] == created.json()["id"]
    assert created.json()["id"].endswith(f"/lineitem?type_id={type_id}")


def test_strict_line_item_urls_have_no_query(
    lms: SandboxLms, course: SandboxCourse, launch_claims: dict[str, t.Any]
) -> None:
    lineitems = f"{lms.url}/api/contexts/{course.context_id}/lineitems"
    assert launch_claims[AGS]["lineitems"] == lineitems
    assert launch_claims[AGS]["lineitem"] == f"{lineitems}/{course.line_item_id}"


@moodle
def test_moodle_numbers_people_and_deployments_and_sends_legacy_claims(
    lms: SandboxLms,
    registration: dict[str, t.Any],
    course: SandboxCourse,
    launch_claims: dict[str, t.Any],
) -> None:
    assert (course.learner_id, course.instructor_id) == ("2", "3")
    assert launch_claims["sub"] == "2"
    assert registration["deployment_id"] == "1"
    assert lms.add_deployment(registration["client_id"]) == "2"
    assert launch_claims[LTI + "deployment_id"] == "1"
    assert launch_claims[LIS]["person_sourcedid"] == ""
    outcome = launch_claims[BASIC_OUTCOME]
    assert outcome["lis_outcome_service_url"] == lms.url + "/mod/lti/service.php"
    assert json.loads(outcome["lis_result_sourcedid"])["data"]["userid"] == "2"


def test_strict_sends_no_legacy_claims(
    course: SandboxCourse, launch_claims: dict[str, t.Any]
) -> None:
    assert launch_claims["sub"] == course.learner_id
    assert not course.learner_id.isdigit()
    assert LIS not in launch_claims
    assert BASIC_OUTCOME not in launch_claims


def _register_dynamically(lms: SandboxLms, tool: ToolDouble) -> dict[str, t.Any]:
    token = lms.registration_token()["token"]
    response = requests.post(
        lms.url + "/register",
        json=tool.client_metadata(),
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    answer: dict[str, t.Any] = response.json()
    return answer


@pytest.mark.parametrize(("lms_profile", "pending"), [("strict", False), ("moodle", True)])
def test_moodle_dynamic_registrations_wait_for_an_administrator(
    lms: SandboxLms, tool: ToolDouble, course: SandboxCourse, pending: bool
) -> None:
    client_id = _register_dynamically(lms, tool)["client_id"]
    tool.client_id = client_id
    assert lms.tool(client_id)["active"] is not pending

    def authorize() -> requests.Response:
        launch = lms.launch(
            client_id=client_id,
            user_id=course.learner_id,
            context_id=course.context_id,
            resource_link_id=course.resource_link_id,
        )
        params = authorization_request(launch["login_initiation"], tool.url + "/launch")
        return requests.post(lms.url + "/auth", data=params, timeout=10)

    refused = authorize()
    if pending:
        assert refused.status_code == 400
        assert refused.headers["X-Sandbox-Failed-Check"] == "tool"
        assert lms.activate_tool(client_id)["active"] is True
    assert authorize().status_code == 200


@moodle
def test_moodle_gives_each_dynamic_registration_a_new_client(
    lms: SandboxLms, tool: ToolDouble
) -> None:
    first, second = _register_dynamically(lms, tool), _register_dynamically(lms, tool)
    assert first["client_id"] != second["client_id"]
    assert len(first["client_id"]) == 15
    assert (first[TOOL_CONFIG]["deployment_id"], second[TOOL_CONFIG]["deployment_id"]) == ("1", "2")
    assert lms.openid_configuration()["issuer"] == lms.url


@moodle
def test_moodle_gradebook_tells_the_tool_made_columns_apart(
    lms: SandboxLms,
    grader: Grader,
    registration: dict[str, t.Any],
    course: SandboxCourse,
    launch_claims: dict[str, t.Any],
) -> None:
    body = {"label": "Extra", "scoreMaximum": 5, "resourceLinkId": course.resource_link_id}
    assert grader.post(launch_claims[AGS]["lineitems"], body, ITEM).status_code == 201
    book = lms.gradebook(course.context_id)["line_items"]
    origins = {item["label"]: item["created_by_tool"] for item in book}
    assert origins == {"Assessment": None, "Extra": registration["client_id"]}


def test_strict_gradebook_does_not_record_origins(lms: SandboxLms, course: SandboxCourse) -> None:
    (item,) = lms.gradebook(course.context_id)["line_items"]
    assert "created_by_tool" not in item
    assert "assignments" not in lms.gradebook(course.context_id)


# --- Canvas ------------------------------------------------------------------------------


@canvas
def test_canvas_login_carries_the_deployment_and_a_developer_key(
    lms: SandboxLms, tool: ToolDouble, registration: dict[str, t.Any], launch_for: LaunchFor
) -> None:
    params = launch_for()["login_initiation"]["params"]
    assert params["client_id"] == registration["client_id"] == "10000000000001"
    assert params["lti_deployment_id"] == registration["deployment_id"]
    assert lms.register_tool(**tool.manual_registration())["client_id"] == "10000000000002"


@pytest.mark.parametrize(("lms_profile", "kept"), [("strict", False), ("canvas", True)])
def test_canvas_couples_line_items_to_assignments(
    lms: SandboxLms,
    grader: Grader,
    registration: dict[str, t.Any],
    course: SandboxCourse,
    launch_claims: dict[str, t.Any],
    kept: bool,
) -> None:
    submission_type = {"type": "external_tool", "external_tool_url": "https://tool.example/x"}
    body = {"label": "Extra", "scoreMaximum": 5, CANVAS_SUBMISSION_TYPE: submission_type}
    created = grader.post(launch_claims[AGS]["lineitems"], body, ITEM)
    assert created.status_code == 201
    assert (CANVAS_SUBMISSION_TYPE in created.json()) is kept
    assert (created.json().get(CANVAS_SUBMISSION_TYPE) == submission_type) is kept
    if kept:
        assignments = lms.gradebook(course.context_id)["assignments"]
        by_name = {a["name"]: a for a in assignments}
        assert set(by_name) == {"Assessment", "Extra"}
        assert by_name["Extra"]["created_by_tool"] == registration["client_id"]
        assert by_name["Assessment"]["created_by_tool"] is None
        assert by_name["Extra"]["points_possible"] == 5


@canvas
def test_canvas_refuses_a_malformed_submission_type(
    grader: Grader, launch_claims: dict[str, t.Any]
) -> None:
    body = {"label": "Extra", "scoreMaximum": 5, CANVAS_SUBMISSION_TYPE: "external_tool"}
    assert grader.post(launch_claims[AGS]["lineitems"], body, ITEM).status_code == 400


@canvas
def test_canvas_stores_the_submission_extension(
    lms: SandboxLms, grader: Grader, course: SandboxCourse, launch_claims: dict[str, t.Any]
) -> None:
    submission = {
        "new_submission": True,
        "submission_type": "basic_lti_launch",
        "submitted_at": _stamp(_now()),
    }
    body = _score(course.learner_id, _stamp(_now()), **{CANVAS_SUBMISSION: submission})
    assert grader.score(launch_claims[AGS]["lineitem"], body).status_code == 204
    (stored,) = lms.gradebook(course.context_id)["scores"]
    assert stored[CANVAS_SUBMISSION] == submission


@pytest.mark.parametrize(("lms_profile", "status"), [("strict", 204), ("canvas", 400)])
@pytest.mark.parametrize(
    "submission",
    [
        "yes",
        {"new_submission": "true"},
        {"submitted_at": "yesterday"},
        {"submitted_at": "2999-01-01T00:00:00.000+00:00"},
    ],
)
def test_canvas_refuses_a_malformed_submission_extension(
    grader: Grader,
    course: SandboxCourse,
    launch_claims: dict[str, t.Any],
    submission: object,
    status: int,
) -> None:
    body = _score(course.learner_id, _stamp(_now()), **{CANVAS_SUBMISSION: submission})
    assert grader.score(launch_claims[AGS]["lineitem"], body).status_code == status


@pytest.mark.parametrize(("lms_profile", "status"), [("strict", 409), ("canvas", 204)])
def test_canvas_compares_with_when_the_result_was_last_updated(
    grader: Grader, course: SandboxCourse, launch_claims: dict[str, t.Any], status: int
) -> None:
    line_item = launch_claims[AGS]["lineitem"]
    ahead = _stamp(_now() + datetime.timedelta(seconds=30))
    assert grader.score(line_item, _score(course.learner_id, ahead)).status_code == 204
    behind_the_last_sent = _stamp(_now() + datetime.timedelta(seconds=1))
    assert (
        grader.score(line_item, _score(course.learner_id, behind_the_last_sent)).status_code
        == status
    )


@canvas
def test_canvas_refuses_a_score_older_than_the_last_update(
    grader: Grader, course: SandboxCourse, launch_claims: dict[str, t.Any]
) -> None:
    line_item = launch_claims[AGS]["lineitem"]
    assert grader.score(line_item, _score(course.learner_id, _stamp(_now()))).status_code == 204
    stale = "2024-05-01T10:00:00.000+00:00"
    refused = grader.score(line_item, _score(course.learner_id, stale))
    assert refused.status_code == 400
    assert refused.json()["error_description"].startswith(
        f"Provided timestamp of {stale} before last updated timestamp of "
    )
