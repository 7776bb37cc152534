"""Running a module's end-to-end flows on every sandbox LMS profile.

Import :func:`on_every_lms_profile` into a test module (it replaces the ``lms_profile``
fixture of ``conftest.py`` there only).
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import LMS_PROFILES


@pytest.fixture(params=LMS_PROFILES, name="lms_profile")
def on_every_lms_profile(request: pytest.FixtureRequest) -> str:
    """The ``lms_profile`` of a module whose flows run on every sandbox LMS profile."""
    profile: str = request.param
    return profile
