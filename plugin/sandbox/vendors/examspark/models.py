"""The simulated workspace's records: exam configs with their items, and exam sessions.

Maturity values: ``NOT_STARTED`` (created, never opened; also after a reset),
``IN_PROGRESS`` (opened, reopened or being retaken) and ``COMPLETE`` (submitted for
scoring).  Only ``COMPLETE`` and ``IN_PROGRESS`` appear in the vendor's documentation.
"""

from __future__ import annotations

import dataclasses
import uuid

NOT_STARTED = "NOT_STARTED"
IN_PROGRESS = "IN_PROGRESS"
COMPLETE = "COMPLETE"

#: Namespace of the deterministic session ids (uuid5, as the documented ids are).
SESSION_NAMESPACE = uuid.UUID("6f1c2f59-5c0e-4a7e-9a43-9d0c7f3be0a1")

_PROMPTS = (
    (
        "Cole earns $6.00 per week. Which item can he buy this week?",
        ("skateboard", "new jacket", "cupcake", "bike"),
        2,
    ),
    (
        "Which of these is a way to save money?",
        ("spend it at once", "put it in a bank", "lend it to strangers"),
        1,
    ),
    ("What is 15% of 200?", ("15", "20", "30", "45"), 2),
    ("Which number is prime?", ("21", "27", "29", "33"), 2),
    ("Which unit measures area?", ("metre", "square metre", "litre"), 1),
)


@dataclasses.dataclass(frozen=True)
class Item:
    """One multiple-choice item with a single question, aligned to one objective."""

    id: str
    name: str
    question_id: str
    options: tuple[str, ...]
    key: int
    objective_id: str
    objective_text: str
    abbreviation: str


@dataclasses.dataclass
class ExamConfig:
    id: str
    exam_id: str
    exam_name: str
    name: str
    allow_retakes: bool
    resolution: str
    items: tuple[Item, ...]
    description: str = ""

    def item(self, item_id: str) -> Item | None:
        return next((item for item in self.items if item.id == item_id), None)


@dataclasses.dataclass
class Attempt:
    """One try inside a session; ``responses`` maps item id to the chosen option index."""

    number: int
    responses: dict[str, int] = dataclasses.field(default_factory=dict)
    started_at: float | None = None
    submitted_at: float | None = None
    points: int | None = None


@dataclasses.dataclass
class Session:
    id: str
    seq: int
    config_id: str
    user_id: str
    context_id: str
    resource_link_id: str
    name: str
    person_sourcedid: str
    outcome_url: str
    result_sourcedid: str
    created_at: float
    updated_at: float
    maturity: str = NOT_STARTED
    attempts: list[Attempt] = dataclasses.field(default_factory=lambda: [Attempt(1)])

    @property
    def current(self) -> Attempt:
        return self.attempts[-1]

    def resolved(self, resolution: str) -> Attempt | None:
        """The attempt whose score counts: the highest, or the latest scored one."""
        scored = [attempt for attempt in self.attempts if attempt.points is not None]
        if not scored:
            return None
        if resolution == "HIGHEST":
            return max(scored, key=lambda attempt: attempt.points or 0)
        return scored[-1]


def session_id(config_id: str, user_id: str, context_id: str, resource_link_id: str) -> str:
    """The deterministic id: same exam config, user, context and link -> same session."""
    name = "|".join((config_id, user_id, context_id, resource_link_id))
    return str(uuid.uuid5(SESSION_NAMESPACE, name))


def make_items(config_id: str, count: int) -> tuple[Item, ...]:
    """``count`` items cycling through the sample prompts, with stable ids."""
    items = []
    for index in range(count):
        prompt, options, key = _PROMPTS[index % len(_PROMPTS)]
        base = uuid.uuid5(SESSION_NAMESPACE, f"{config_id}/item/{index}")
        objective = uuid.uuid5(SESSION_NAMESPACE, f"{config_id}/objective/{index % 3}")
        items.append(
            Item(
                id=str(base),
                name=prompt,
                question_id=base.hex[:12],
                options=options,
                key=key,
                objective_id=str(objective),
                objective_text=f"Objective {index % 3 + 1} of the exam",
                abbreviation=f"2.11.{'ABC'[index % 3]}",
            )
        )
    return tuple(items)
