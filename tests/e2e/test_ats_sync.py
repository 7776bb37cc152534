"""A learner's result reaches the gradebook and every ATS linked to the assessment, with
nobody pressing a button: Greenhouse custom fields, Workable custom attributes and a
signed webhook, each through its strict simulator over real HTTP."""

from __future__ import annotations

import json
import typing as t

import pytest
import requests

from plugin.ats.webhook import verify_signature
from plugin.sandbox.ats.greenhouse import SandboxGreenhouse
from plugin.sandbox.ats.greenhouse import create_greenhouse_app
from plugin.sandbox.ats.webhook import SandboxWebhookReceiver
from plugin.sandbox.ats.webhook import create_webhook_receiver_app
from plugin.sandbox.ats.workable import SandboxWorkable
from plugin.sandbox.ats.workable import create_workable_app
from plugin.services import services
from tests.e2e.conftest import RunningTool
from tests.e2e.mettl_class import delivery_rows
from tests.e2e.mettl_class import mettl_class
from tests.e2e.mettl_class import sweep_until

if t.TYPE_CHECKING:
    from collections.abc import Callable

    from flask import Flask

    from plugin.ats.connections import AtsConnectionService
    from plugin.sandbox.lms import SandboxCourse
    from plugin.sandbox.lms import SandboxLms
    from plugin.sandbox.server import ServedApp
    from tests.e2e.conftest import Registration

pytestmark = pytest.mark.e2e

EMAIL = "grace@example.edu"
HOOK_SECRET = "webhook-signing-secret-1234"


@pytest.fixture
def tool_settings() -> dict[str, str]:
    return {"BRIDGE_RETRY_FIRST_SECONDS": "0.05"}


def ats_service(tool: RunningTool) -> AtsConnectionService:
    service: AtsConnectionService = services(tool.app).ats_connections
    return service


def test_a_result_reaches_the_gradebook_greenhouse_workable_and_a_webhook(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    klass = mettl_class(lms, tool, registration, course, serve)
    greenhouse = SandboxGreenhouse(
        serve(
            create_greenhouse_app(client_id="gh-client", client_secret="gh-secret", users=[42])
        ).url
    )
    gh_candidate = greenhouse.add_candidate(EMAIL)
    greenhouse.add_field("Assessment score", "number", name_key="assessment_score")
    greenhouse.add_field("Passed", "yes_no", name_key="assessment_passed")
    workable = SandboxWorkable(serve(create_workable_app(subdomain="acme", token="wk-token")).url)
    wk_candidate = workable.add_candidate(EMAIL)["id"]
    workable.add_attribute("Score", "numeric", id="score")
    workable.add_attribute("Report", "short_text", id="report")
    receiver = SandboxWebhookReceiver(serve(create_webhook_receiver_app(secret=HOOK_SECRET)).url)

    service = ats_service(tool)
    service.add(
        "greenhouse",
        "greenhouse",
        {
            "client_id": "gh-client",
            "client_secret": "gh-secret",
            "user_id": "42",
            "base_url": greenhouse.url,
            "token_url": greenhouse.token_url,
        },
    )
    service.set_field_map(
        "greenhouse",
        {
            "fields": {
                "score_percent": {"key": "assessment_score", "type": "number"},
                "passed": {"key": "assessment_passed", "type": "yes_no"},
                "level": {"key": "assessment_level", "type": "short_text"},
            }
        },
    )
    service.add(
        "workable", "workable", {"subdomain": "acme", "token": "wk-token", "base_url": workable.url}
    )
    service.set_field_map(
        "workable", {"fields": {"score_percent": {"key": "score", "type": "numeric"}}}
    )
    service.add("webhook", "hook", {"url": receiver.hook_url, "secret": HOOK_SECRET})
    for name in ("greenhouse", "workable", "hook"):
        service.link(name, klass.assessment_id)

    user = klass.add_learner("Grace Hopper", EMAIL)
    klass.take(user, right=3)
    sweep_until(
        tool.app,
        lambda: (
            len(receiver.received()) == 1
            and all(d.status == "delivered" for d in delivery_rows(tool.app))
        ),
    )

    assert klass.grades()[user]["scoreGiven"] == 75.0
    fields = greenhouse.candidate(gh_candidate)
    assert fields["custom_fields"]["assessment_score"] == 75
    assert workable.candidate(wk_candidate)["custom_attributes"] == {"score": 75}
    (webhook,) = receiver.received()
    payload = webhook["body"]
    assert payload["candidate"]["email"] == EMAIL
    assert payload["result"]["status"] == "completed"
    assert payload["result"]["percent"] in ("75", "75.00", 75, 75.0)
    targets = {d.target: d for d in delivery_rows(tool.app)}
    assert set(targets) == {"lms", *(f"ats:{c.id}" for c in service.list())}
    metrics = requests.get(f"{tool.url}/metrics", timeout=5).text
    assert 'bridge_deliveries{status="delivered"} 4' in metrics
    assert "bridge_attempts_owed_sync 0" in metrics


def test_a_webhook_receiver_is_sent_a_verifiable_signature(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    klass = mettl_class(lms, tool, registration, course, serve)
    receiver = SandboxWebhookReceiver(serve(create_webhook_receiver_app(secret=HOOK_SECRET)).url)
    receiver.set_faults(error_rate=0.5, seed=3)
    service = ats_service(tool)
    service.add("webhook", "hook", {"url": receiver.hook_url, "secret": HOOK_SECRET})
    service.link("hook", klass.assessment_id)

    user = klass.add_learner("Signed", EMAIL)
    klass.take(user, right=4)
    sweep_until(tool.app, lambda: len(receiver.received()) >= 1)

    (delivered,) = [d for d in delivery_rows(tool.app) if d.target.startswith("ats:")]
    assert delivered.status == "delivered" and delivered.tries > 1  # 5xx retried
    (webhook,) = receiver.received()
    # The body as sent: sorted keys, compact separators (what the signature covers).
    raw = json.dumps(webhook["body"], sort_keys=True, separators=(",", ":")).encode()
    verify_signature(HOOK_SECRET, webhook["signature"], raw)
    with pytest.raises(ValueError, match="signature"):
        verify_signature("another-secret-of-16+", webhook["signature"], raw)
    assert webhook["idempotency_key"] == webhook["body"]["result_id"]


def test_an_ambiguous_candidate_is_held_for_a_person_with_the_reason(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    serve: Callable[[Flask], ServedApp],
) -> None:
    klass = mettl_class(lms, tool, registration, course, serve)
    greenhouse = SandboxGreenhouse(
        serve(create_greenhouse_app(client_id="gh", client_secret="gh-secret", users=[7])).url
    )
    greenhouse.add_candidate(EMAIL)
    greenhouse.add_candidate(EMAIL)
    greenhouse.add_field("Assessment score", "number", name_key="assessment_score")
    service = ats_service(tool)
    service.add(
        "greenhouse",
        "gh",
        {
            "client_id": "gh",
            "client_secret": "gh-secret",
            "user_id": "7",
            "base_url": greenhouse.url,
            "token_url": greenhouse.token_url,
        },
    )
    service.set_field_map(
        "gh", {"fields": {"score_percent": {"key": "assessment_score", "type": "number"}}}
    )
    service.link("gh", klass.assessment_id)

    user = klass.add_learner("Twice", EMAIL)
    klass.take(user, right=2)
    sweep_until(tool.app, lambda: any(d.status == "dead" for d in delivery_rows(tool.app)))

    (dead,) = [d for d in delivery_rows(tool.app) if d.status == "dead"]
    assert dead.target.startswith("ats:") and dead.last_error
    assert "several" in dead.last_error and EMAIL not in dead.last_error
    assert klass.grades()[user]["scoreGiven"] == 50.0
