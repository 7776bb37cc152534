"""LMS profiles: the switches that make the sandbox platform behave like a real LMS.

``strict`` follows the specifications (and is what the simulator always did); ``moodle`` and
``canvas`` reproduce what Moodle 4.5 and Canvas do where they differ from them. Each switch is
read where its behaviour happens, so a module shows its profile-dependent rule in place.
"""

from __future__ import annotations

import dataclasses
import typing as t

from plugin.sandbox.lms.vocab import PRODUCT_FAMILY_CODE

ClientIdStyle = t.Literal["hex", "moodle", "developer_key"]


@dataclasses.dataclass(frozen=True)
class ScoreOrder:
    """When a score is refused as stale, and with what answer.

    The time a stored score is compared against is its own ``timestamp``, or the time the
    platform received it (``stamp_on_arrival``; ``stamp_ungraded_on_arrival`` only for scores
    without ``scoreGiven``). ``message`` may name ``{item}``, ``{user}``, ``{sent}`` (the
    timestamp sent) and ``{held}`` (the stored time, ISO 8601 with milliseconds).
    """

    whole_seconds: bool = False
    stamp_on_arrival: bool = False
    stamp_ungraded_on_arrival: bool = False
    equal_accepted: bool = False
    status: int = 409
    error: str = "conflict"
    message: str = "timestamp is not after the last score for this user and item"


@dataclasses.dataclass(frozen=True)
class LmsProfile:
    """How one kind of LMS behaves; see the package docstring for what each rule reproduces."""

    name: str
    product_family_code: str = PRODUCT_FAMILY_CODE
    score_order: ScoreOrder = ScoreOrder()
    single_use_message_hint: bool = False
    id_token_ttl_s: int = 300
    type_id_query: bool = False
    wrong_method_status: int = 405
    client_ids: ClientIdStyle = "hex"
    numeric_user_ids: bool = False
    numeric_deployment_ids: bool = False
    legacy_lis_claims: bool = False
    pending_dynamic_registrations: bool = False
    record_line_item_origin: bool = False
    line_items_are_assignments: bool = False
    canvas_extensions: bool = False


STRICT = LmsProfile(name="strict")

MOODLE = LmsProfile(
    name="moodle",
    product_family_code="moodle",
    score_order=ScoreOrder(
        whole_seconds=True,
        stamp_ungraded_on_arrival=True,
        message="Refusing score with an earlier timestamp for item {item} and user {user}",
    ),
    single_use_message_hint=True,
    id_token_ttl_s=60,
    type_id_query=True,
    wrong_method_status=404,
    client_ids="moodle",
    numeric_user_ids=True,
    numeric_deployment_ids=True,
    legacy_lis_claims=True,
    pending_dynamic_registrations=True,
    record_line_item_origin=True,
)

CANVAS = LmsProfile(
    name="canvas",
    product_family_code="canvas",
    score_order=ScoreOrder(
        stamp_on_arrival=True,
        equal_accepted=True,
        status=400,
        error="invalid_request",
        message="Provided timestamp of {sent} before last updated timestamp of {held}",
    ),
    client_ids="developer_key",
    record_line_item_origin=True,
    line_items_are_assignments=True,
    canvas_extensions=True,
)

PROFILES: dict[str, LmsProfile] = {p.name: p for p in (STRICT, MOODLE, CANVAS)}


def profile_named(name: str) -> LmsProfile:
    """Return the profile called ``name``.

    :raises ValueError: for an unknown name, listing the known ones.
    """
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ValueError(f"unknown LMS profile {name!r}; known profiles: {known}") from None
