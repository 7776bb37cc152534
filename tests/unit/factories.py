"""Rows an attempt hangs off, written straight to the store for tests of the layers
below the web (the outbox, sync planning)."""

from __future__ import annotations

import itertools
import typing as t

from plugin.runtime.tokens import token_digest
from plugin.services import services
from plugin.store.models import Assessment
from plugin.store.models import Attempt
from plugin.store.models import Deployment
from plugin.store.models import LtiContext
from plugin.store.models import LtiUser
from plugin.store.models import Platform
from plugin.store.models import ResourceLink
from plugin.store.models import VendorConnection

if t.TYPE_CHECKING:
    from flask import Flask

_numbers = itertools.count(1)


def make_attempt(app: Flask, *, email: str = "ada@example.edu", lineitems: bool = True) -> int:
    """A learner's attempt on a fresh platform, course and placement; returns its id."""
    n = next(_numbers)
    box = services(app).secrets
    with services(app).sessions.begin() as session:
        platform = Platform(
            issuer=f"https://lms{n}.example",
            client_id="client",
            auth_login_url="https://lms.example/login",
            auth_token_url="https://lms.example/token",
            key_set_url="https://lms.example/jwks",
        )
        session.add(platform)
        session.flush()
        deployment = Deployment(platform_id=platform.id, deployment_id="d1")
        user = LtiUser(platform_id=platform.id, subject=f"user-{n}", email=email)
        context = LtiContext(platform_id=platform.id, context_id=f"course-{n}")
        connection = VendorConnection(
            name=f"vendor-{n}",
            kind="mettl",
            config_encrypted=b"-",
            callback_token_hash=token_digest(f"tok-{n}"),
            callback_token_encrypted=box.encrypt(f"tok-{n}".encode()),
            browser_token_hash=token_digest(f"browser-{n}"),
            browser_token_encrypted=box.encrypt(f"browser-{n}".encode()),
        )
        session.add_all([deployment, user, context, connection])
        session.flush()
        link = ResourceLink(
            context_id=context.id,
            deployment_id=deployment.id,
            resource_link_id=f"link-{n}",
            lineitems_url="https://lms.example/lineitems" if lineitems else "",
        )
        # Tests here plan deliveries to placements that name only the line item container.
        assessment = Assessment(
            connection_id=connection.id, test_id="t1", title="Final", create_line_item=True
        )
        session.add_all([link, assessment])
        session.flush()
        attempt = Attempt(
            token_hash=token_digest(f"attempt-token-{n}"),
            token_encrypted=box.encrypt(f"attempt-token-{n}".encode()),
            assessment_id=assessment.id,
            lti_user_id=user.id,
            resource_link_id=link.id,
            vendor_ref=f"ref-{n}",
        )
        session.add(attempt)
        session.flush()
        return attempt.id
