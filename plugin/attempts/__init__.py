"""A learner's attempt from launch to "done": assessments offered through the tool,
starting or resuming an attempt at the vendor, completion signals, and what the learner
coming back is shown."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from plugin.attempts.assessments import AssessmentService
    from plugin.attempts.completions import CompletionIntake
    from plugin.attempts.start import AttemptService
    from plugin.services import services

    registry = services(app)
    registry.assessments = AssessmentService(
        registry.sessions, registry.vendor_connections.configure_test
    )
    # Before a launch is stored: is the assessment it names offered to its platform?
    registry.lti.recorder.check_with(registry.assessments.check_launch)
    registry.attempts = AttemptService(
        registry.sessions,
        registry.vendor_connections,
        registry.secrets,
        base_url=registry.settings.base_url,
    )
    registry.completions = CompletionIntake(registry.sessions, registry.vendor_connections)
