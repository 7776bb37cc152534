"""In-memory state of the StartExam simulator: tests, participants, continuation tokens.

Every read and write goes through :attr:`StartExamState.lock`. Modification stamps
are integer milliseconds and strictly increasing, so paging by ``(modified, id)``
is exact even with a frozen clock.
"""

from __future__ import annotations

import dataclasses
import secrets
import threading
import typing as t
import uuid

if t.TYPE_CHECKING:
    from collections.abc import Callable

MAX_PAGE_SIZE = 500
#: Forms ``GET /v1/tests`` can answer in (the vendor's page shows none); ``tests`` first,
#: the default: the whole answer, else the key the array goes under.
TEST_LIST_SHAPES = ("tests", "bare", "items", "data", "result")


@dataclasses.dataclass(frozen=True)
class Question:
    num: int
    prompt: str
    options: tuple[str, ...]
    correct: int
    max_score: float

    @property
    def code(self) -> str:
        return f"q{self.num}"


@dataclasses.dataclass
class SimTest:
    test_id: str
    title: str
    questions: tuple[Question, ...]
    description: str | None = None
    time: str | None = "00:30:00"
    kind: str = "test"
    status: str = "active"
    project_id: str = dataclasses.field(default_factory=lambda: str(uuid.uuid4()))
    modified: float = 0.0
    callback_url: str | None = None

    @property
    def max_score(self) -> float:
        return sum(question.max_score for question in self.questions)

    def as_json(self, iso: Callable[[float], str]) -> dict[str, t.Any]:
        return {
            "testId": self.test_id,
            "projectId": self.project_id,
            "type": self.kind,
            "status": self.status,
            "title": self.title,
            "description": self.description,
            "time": self.time,
            "modified": iso(self.modified),
        }


@dataclasses.dataclass
class Participant:
    participant_id: str
    test_id: str
    data: list[dict[str, str]]
    valid_from: float
    valid_till: float
    proctoring: bool
    modified_ms: int
    started: float | None = None
    finished: float | None = None
    auto_closed: bool = False
    scores: dict[int, float] = dataclasses.field(default_factory=dict)
    answers: dict[int, str] = dataclasses.field(default_factory=dict)

    @property
    def is_finished(self) -> bool:
        return self.finished is not None and not self.auto_closed


@dataclasses.dataclass(frozen=True)
class Continuation:
    """Where the next page of a sessions listing starts (single use)."""

    modified_since: str
    since_ms: int
    until_ms: int
    after: tuple[int, str]
    expires: float


class StartExamState:
    """The account the simulator stands in for."""

    def __init__(
        self,
        *,
        account_id: str,
        key: bytes,
        center: str,
        clock: Callable[[], float],
        callback_url: str | None,
    ) -> None:
        self.lock = threading.RLock()
        self.account_id = account_id
        self.key = key
        self.center = center
        self.clock = clock
        self.default_callback_url = callback_url
        self.tests: dict[str, SimTest] = {}
        self.participants: dict[str, Participant] = {}
        self.tokens: dict[str, Continuation] = {}
        self.page_size = MAX_PAGE_SIZE
        self.token_ttl_s = 600.0
        self.answer_shape = TEST_LIST_SHAPES[0]
        self._last_stamp_ms = 0

    def stamp(self) -> int:
        """A new modification stamp (ms), later than every earlier one."""
        with self.lock:
            self._last_stamp_ms = max(int(self.clock() * 1000), self._last_stamp_ms + 1)
            return self._last_stamp_ms

    def high_water_ms(self) -> int:
        """The end of a listing started now: after every stamp handed out so far."""
        with self.lock:
            return max(int(self.clock() * 1000), self._last_stamp_ms + 1)

    def add_test(self, test: SimTest) -> SimTest:
        with self.lock:
            test.modified = self.clock()
            self.tests[test.test_id] = test
            return test

    def register(self, participant: Participant) -> None:
        with self.lock:
            self.participants[participant.participant_id] = participant

    def touch(self, participant: Participant) -> None:
        with self.lock:
            participant.modified_ms = self.stamp()

    def callback_for(self, test_id: str) -> str | None:
        with self.lock:
            test = self.tests.get(test_id)
            own = test.callback_url if test is not None else None
            return own or self.default_callback_url

    def issue_token(self, continuation: Continuation) -> str:
        token = "se" + "".join(secrets.choice("0123456789") for _ in range(20))
        with self.lock:
            self.tokens[token] = continuation
        return token

    def take_token(self, token: str) -> Continuation | None:
        """The continuation of ``token``, which is used up; None when unknown or expired."""
        with self.lock:
            continuation = self.tokens.pop(token, None)
        if continuation is None or continuation.expires < self.clock():
            return None
        return continuation

    def changed_between(
        self, since_ms: int, until_ms: int, after: tuple[int, str] | None, limit: int
    ) -> list[Participant]:
        """Participants with ``since <= modified < until`` after the key ``after``, in order."""
        with self.lock:
            chosen = sorted(
                (
                    p
                    for p in self.participants.values()
                    if since_ms <= p.modified_ms < until_ms
                    and (after is None or (p.modified_ms, p.participant_id) > after)
                ),
                key=lambda p: (p.modified_ms, p.participant_id),
            )
        return chosen[:limit]


def make_questions(count: int) -> tuple[Question, ...]:
    """``count`` small arithmetic single-choice questions worth 5 points each."""
    questions = []
    for num in range(1, count + 1):
        left, right = num + 2, 3 * num + 1
        answer = left + right
        options = (str(answer - 2), str(answer), str(answer + 3), str(answer + 7))
        order = num % len(options)
        rotated = options[order:] + options[:order]
        questions.append(
            Question(
                num=num,
                prompt=f"What is {left} + {right}?",
                options=rotated,
                correct=rotated.index(str(answer)),
                max_score=5.0,
            )
        )
    return tuple(questions)
