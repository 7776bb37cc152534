from __future__ import annotations

import datetime as dt
import threading
import typing as t

import pytest

from lti.ags import AgsClient
from lti.ags import AgsClientFactory
from lti.ags import AgsError
from lti.ags import LineItemSpec
from lti.ags.line_items import scores_url
from lti.interfaces import PlatformRecord
from plugin.runtime.shared_store import MemoryStore
from plugin.sandbox.lms import SandboxCourse
from plugin.sandbox.lms import SandboxLms

if t.TYPE_CHECKING:
    from tests.unit.lti.conftest import FakeNow
    from tests.unit.lti.conftest import RunningLms
    from tests.unit.lti.conftest import RunningTool

FINISHED = dt.datetime(2024, 4, 30, 16, 30, 0, 250_000, tzinfo=dt.UTC)
LIST = "GET /api/contexts/<context_id>/lineitems"
CREATE = "POST /api/contexts/<context_id>/lineitems"
SCORE = "POST /api/contexts/<context_id>/lineitems/<line_item_id>/scores"


def lineitems_url(lms: SandboxLms, course: SandboxCourse) -> str:
    return f"{lms.issuer}/api/contexts/{course.context_id}/lineitems"


def launch_lineitem_url(lms: SandboxLms, course: SandboxCourse) -> str:
    assert course.line_item_id is not None
    return f"{lineitems_url(lms, course)}/{course.line_item_id}"


def score(user_id: str, given: float = 80.0) -> dict[str, object]:
    """A score as the outbox stores it; the previous release put the vendor's finish time in
    ``timestamp``, which the client replaces with the send time."""
    return {
        "userId": user_id,
        "scoreGiven": given,
        "scoreMaximum": 100.0,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": FINISHED.isoformat(timespec="milliseconds"),
        "submission": {"submittedAt": "2024-04-30T16:30:00.250000Z"},
    }


def requests_to(lms: SandboxLms, endpoint: str) -> int:
    return int(lms.stats()["requests"].get(endpoint, 0))


def latest_score(lms: SandboxLms, course: SandboxCourse) -> dict[str, object]:
    (found,) = [s for s in lms.gradebook(course.context_id)["scores"]]
    return found


@pytest.fixture
def client(ags: AgsClientFactory, platform: PlatformRecord) -> AgsClient:
    return ags.for_platform(platform)


@pytest.fixture
def bare_course(lms: SandboxLms) -> SandboxCourse:
    """A course whose resource link has no line item yet."""
    return lms.create_course(title="Physics 101", score_maximum=None)


def spec_for(course: SandboxCourse, tag: str | None = "bridge:exam-1") -> LineItemSpec:
    return LineItemSpec(
        label="Final exam", score_maximum=50, resource_link_id=course.resource_link_id, tag=tag
    )


class TestLineItems:
    def test_the_launch_line_item_is_used_as_is(
        self, lms: SandboxLms, course: SandboxCourse, client: AgsClient
    ) -> None:
        url = client.line_item_url(
            spec_for(course),
            lineitem_url=launch_lineitem_url(lms, course),
            lineitems_url=lineitems_url(lms, course),
        )
        assert url == launch_lineitem_url(lms, course)
        assert requests_to(lms, LIST) == requests_to(lms, CREATE) == 0

    def test_a_line_item_is_found_by_listing_across_pages(
        self, lms: SandboxLms, bare_course: SandboxCourse, client: AgsClient
    ) -> None:
        container = lineitems_url(lms, bare_course)
        for number in range(4):
            client.create_line_item(container, spec_for(bare_course, tag=f"other-{number}"))
        untagged = client.create_line_item(container, spec_for(bare_course, tag=None))
        lms.reset_stats()

        url = client.line_item_url(spec_for(bare_course, tag=None), lineitems_url=container)

        assert url == untagged.url
        assert requests_to(lms, LIST) == 3  # pages of 2: others 0-1, others 2-3, untagged
        assert requests_to(lms, CREATE) == 0
        assert len(lms.gradebook(bare_course.context_id)["line_items"]) == 5

    def test_a_missing_line_item_is_created_once(
        self, lms: SandboxLms, bare_course: SandboxCourse, client: AgsClient
    ) -> None:
        container = lineitems_url(lms, bare_course)
        url = client.line_item_url(spec_for(bare_course), lineitems_url=container)
        assert client.line_item_url(spec_for(bare_course), lineitems_url=container) == url

        (item,) = lms.gradebook(bare_course.context_id)["line_items"]
        assert item["id"] == url
        assert item["label"] == "Final exam" and item["scoreMaximum"] == 50
        assert item["resourceLinkId"] == bare_course.resource_link_id
        assert item["tag"] == "bridge:exam-1"
        found = client.find_line_item(container, spec_for(bare_course))
        assert found is not None and found.url == url
        assert client.find_line_item(container, spec_for(bare_course, tag="other")) is None

    def test_workers_racing_for_a_missing_line_item_create_one(
        self,
        lms: SandboxLms,
        bare_course: SandboxCourse,
        ags: AgsClientFactory,
        platform: PlatformRecord,
    ) -> None:
        container = lineitems_url(lms, bare_course)
        barrier, urls = threading.Barrier(4), []

        def worker() -> None:
            client = ags.for_platform(platform)
            barrier.wait()
            urls.append(client.line_item_url(spec_for(bare_course), lineitems_url=container))

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(urls) == 4 and len(set(urls)) == 1
        assert requests_to(lms, CREATE) == 1

    def test_a_link_without_ags_is_not_retryable(
        self, course: SandboxCourse, client: AgsClient
    ) -> None:
        with pytest.raises(AgsError) as caught:
            client.line_item_url(spec_for(course))
        assert not caught.value.retryable and "no line item service" in str(caught.value)

    def test_a_refused_line_item_is_not_retryable(
        self, lms: SandboxLms, course: SandboxCourse, client: AgsClient
    ) -> None:
        foreign = LineItemSpec(label="X", score_maximum=10, resource_link_id="rl-elsewhere")
        with pytest.raises(AgsError) as caught:
            client.create_line_item(lineitems_url(lms, course), foreign)
        assert caught.value.status == 400 and not caught.value.retryable
        assert "resourceLinkId" in caught.value.platform_message


class TestScoresUrl:
    @pytest.mark.parametrize(
        ("line_item", "scores"),
        [
            ("https://lms.example/lineitems/5", "https://lms.example/lineitems/5/scores"),
            ("https://lms.example/lineitems/5/", "https://lms.example/lineitems/5/scores"),
            (
                "https://moodle.example/mod/lti/services.php/2/lineitems/5/lineitem?type_id=2",
                "https://moodle.example/mod/lti/services.php/2/lineitems/5/lineitem/scores?type_id=2",
            ),
        ],
    )
    def test_scores_are_under_the_line_item_path_keeping_its_query(
        self, line_item: str, scores: str
    ) -> None:
        assert scores_url(line_item) == scores


class TestScores:
    def test_a_score_lands_stamped_with_the_time_it_is_sent(
        self, lms: SandboxLms, course: SandboxCourse, client: AgsClient, now: FakeNow
    ) -> None:
        now.advance(0.75)
        receipt = client.post_score(launch_lineitem_url(lms, course), score(course.learner_id))
        assert receipt.timestamp == "2024-05-01T10:00:00.000+00:00" and not receipt.bumped
        landed = latest_score(lms, course)
        assert landed["user_id"] == course.learner_id and landed["scoreGiven"] == 80.0
        assert landed["timestamp"] == receipt.timestamp
        assert landed["submission"] == {"submittedAt": "2024-04-30T16:30:00.250000Z"}

    def test_two_scores_within_one_second_are_sent_one_second_apart(
        self, lms: SandboxLms, course: SandboxCourse, client: AgsClient, now: FakeNow
    ) -> None:
        url = launch_lineitem_url(lms, course)
        client.post_score(url, score(course.learner_id, given=70.0))
        now.advance(0.2)
        second = client.post_score(url, score(course.learner_id, given=90.0))
        assert second.bumped and second.timestamp == "2024-05-01T10:00:01.000+00:00"
        assert lms.gradebook(course.context_id)["score_count"] == 2
        assert latest_score(lms, course)["scoreGiven"] == 90.0

    def test_a_later_score_is_sent_at_its_own_time(
        self, lms: SandboxLms, course: SandboxCourse, client: AgsClient, now: FakeNow
    ) -> None:
        url = launch_lineitem_url(lms, course)
        client.post_score(url, score(course.learner_id))
        client.post_score(url, score(course.learner_id))
        now.advance(300)
        later = client.post_score(url, score(course.learner_id, given=10.0))
        assert not later.bumped and later.timestamp == "2024-05-01T10:05:00.000+00:00"

    def test_n_scores_need_one_token_request(
        self,
        running_lms: RunningLms,
        course: SandboxCourse,
        client: AgsClient,
        platform: PlatformRecord,
    ) -> None:
        lms = running_lms.client
        url = launch_lineitem_url(lms, course)
        for number in range(20):
            client.post_score(url, score(course.learner_id, given=float(number)))
        assert requests_to(lms, SCORE) == 20
        assert running_lms.token_requests(platform.client_id) == 1
        assert latest_score(lms, course)["scoreGiven"] == 19.0

    def test_a_revoked_token_is_refreshed_once(
        self,
        running_lms: RunningLms,
        course: SandboxCourse,
        client: AgsClient,
        platform: PlatformRecord,
    ) -> None:
        lms = running_lms.client
        url = launch_lineitem_url(lms, course)
        client.post_score(url, score(course.learner_id))
        running_lms.revoke_tokens()
        client.post_score(url, score(course.learner_id))
        assert running_lms.token_requests(platform.client_id) == 2
        assert requests_to(lms, SCORE) == 3  # ok, 401, ok
        assert lms.gradebook(course.context_id)["score_count"] == 2

    def test_a_score_refused_as_not_newer_is_sent_again_with_a_fresh_timestamp(
        self,
        lms: SandboxLms,
        course: SandboxCourse,
        client: AgsClient,
        tool: RunningTool,
        platform: PlatformRecord,
        now: FakeNow,
    ) -> None:
        """A worker whose store forgot the last timestamp sends the same second: 409, then
        one second later."""
        url = launch_lineitem_url(lms, course)
        client.post_score(url, score(course.learner_id))
        forgetful = AgsClientFactory(tool.keys, MemoryStore(), now=now)
        receipt = forgetful.for_platform(platform).post_score(url, score(course.learner_id, 1.0))
        forgetful.close()
        assert receipt.bumped and receipt.timestamp == "2024-05-01T10:00:01.000+00:00"
        assert requests_to(lms, SCORE) == 3  # ok, 409, ok
        assert latest_score(lms, course)["scoreGiven"] == 1.0

    def test_three_refusals_in_a_row_are_retryable(
        self,
        lms: SandboxLms,
        course: SandboxCourse,
        client: AgsClient,
        tool: RunningTool,
        platform: PlatformRecord,
        now: FakeNow,
    ) -> None:
        url = launch_lineitem_url(lms, course)
        now.advance(10)
        client.post_score(url, score(course.learner_id))
        now.advance(-10)  # a worker whose clock is behind and whose store forgot
        forgetful = AgsClientFactory(tool.keys, MemoryStore(), now=now)
        with pytest.raises(AgsError) as caught:
            forgetful.for_platform(platform).post_score(url, score(course.learner_id, 1.0))
        forgetful.close()
        assert caught.value.status == 409 and caught.value.retryable
        assert "3 times" in str(caught.value) and "10:00:02.000" in str(caught.value)
        assert requests_to(lms, SCORE) == 4  # ok, then 409 at 10:00:00, :01, :02
        assert latest_score(lms, course)["scoreGiven"] == 80.0

    def test_a_bad_score_is_not_retryable(
        self, lms: SandboxLms, course: SandboxCourse, client: AgsClient
    ) -> None:
        with pytest.raises(AgsError) as caught:
            client.post_score(launch_lineitem_url(lms, course), score("not-enrolled"))
        assert caught.value.status == 400 and not caught.value.retryable
        assert "not a member" in str(caught.value)

    def test_a_stored_timestamp_is_replaced_whatever_it_holds(
        self, lms: SandboxLms, course: SandboxCourse, client: AgsClient
    ) -> None:
        naive = {**score(course.learner_id), "timestamp": "2024-05-01T10:00:00.000"}
        receipt = client.post_score(launch_lineitem_url(lms, course), naive)
        assert receipt.timestamp == "2024-05-01T10:00:00.000+00:00"
        missing = {k: v for k, v in score(course.learner_id).items() if k != "timestamp"}
        assert client.post_score(launch_lineitem_url(lms, course), missing).bumped

    def test_a_score_without_a_user_is_refused_before_sending(
        self, lms: SandboxLms, course: SandboxCourse, client: AgsClient
    ) -> None:
        anonymous = {**score(course.learner_id), "userId": ""}
        with pytest.raises(ValueError, match="userId"):
            client.post_score(launch_lineitem_url(lms, course), anonymous)
        assert requests_to(lms, SCORE) == 0


class TestRetryableFailures:
    def test_429_is_retryable_with_retry_after(
        self, lms: SandboxLms, course: SandboxCourse, client: AgsClient
    ) -> None:
        url = launch_lineitem_url(lms, course)
        client.post_score(url, score(course.learner_id))
        lms.set_faults(rate_limit_rate=1.0, retry_after=7)
        with pytest.raises(AgsError) as caught:
            client.post_score(url, score(course.learner_id, given=60.0))
        assert caught.value.status == 429 and caught.value.retryable
        assert caught.value.retry_after == 7.0
        lms.set_faults()
        retried = client.post_score(url, score(course.learner_id, given=60.0))
        assert retried.bumped and latest_score(lms, course)["scoreGiven"] == 60.0

    def test_server_errors_are_retryable(
        self, lms: SandboxLms, course: SandboxCourse, client: AgsClient
    ) -> None:
        url = launch_lineitem_url(lms, course)
        client.post_score(url, score(course.learner_id))
        lms.set_faults(error_rate=1.0, retry_after=3, seed=7)
        seen: dict[int | None, float | None] = {}
        for _ in range(8):
            with pytest.raises(AgsError) as caught:
                client.post_score(url, score(course.learner_id))
            assert caught.value.retryable
            seen[caught.value.status] = caught.value.retry_after
        assert seen == {500: None, 503: 3.0}

    def test_a_refused_token_request_keeps_its_retryability(
        self, lms: SandboxLms, course: SandboxCourse, client: AgsClient
    ) -> None:
        lms.set_faults(rate_limit_rate=1.0)
        with pytest.raises(AgsError) as caught:
            client.post_score(launch_lineitem_url(lms, course), score(course.learner_id))
        assert caught.value.status == 429 and caught.value.retryable
        assert "access token" in str(caught.value)

    def test_an_unreachable_platform_is_retryable(
        self, running_lms: RunningLms, course: SandboxCourse, client: AgsClient
    ) -> None:
        url = launch_lineitem_url(running_lms.client, course)
        client.post_score(url, score(course.learner_id))
        running_lms.served.shutdown()
        with pytest.raises(AgsError) as caught:
            client.post_score(url, score(course.learner_id))
        assert caught.value.status is None and caught.value.retryable
        assert "ConnectionError" in str(caught.value)
