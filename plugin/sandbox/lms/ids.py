"""Identifiers shaped as each profile's LMS shapes them.

Opaque random ids by default; Moodle numbers users and tool types (which are its deployment
ids) from small integers and gives clients 15-character random strings; Canvas names clients
by developer key ids such as ``10000000000001``.
"""

from __future__ import annotations

import secrets
import string
import typing as t

from plugin.sandbox.lms.state import new_id

if t.TYPE_CHECKING:
    from collections.abc import Container

    from plugin.sandbox.lms.profiles import LmsProfile
    from plugin.sandbox.lms.state import LmsState

# Moodle's admin is user 2 (guest is 1) and its first tool type is 1.
_FIRST_MOODLE_USER = 2
_FIRST_MOODLE_TYPE = 1
_FIRST_DEVELOPER_KEY = 10000000000001
_MOODLE_CLIENT_ID_LENGTH = 15


def client_id(state: LmsState, profile: LmsProfile) -> str:
    """Return a fresh OAuth client id."""
    if profile.client_ids == "developer_key":
        return _numbered(state, "developer_key", _FIRST_DEVELOPER_KEY, state.tools)
    if profile.client_ids == "moodle":
        alphabet = string.ascii_letters + string.digits
        return "".join(secrets.choice(alphabet) for _ in range(_MOODLE_CLIENT_ID_LENGTH))
    return secrets.token_hex(8)


def deployment_id(state: LmsState, profile: LmsProfile) -> str:
    """Return a fresh deployment id."""
    if profile.numeric_deployment_ids:
        return _numbered(state, "deployment", _FIRST_MOODLE_TYPE, state.deployments)
    return new_id("dep")


def user_id(state: LmsState, profile: LmsProfile) -> str:
    """Return a fresh user id, which is also the user's ``sub``."""
    if profile.numeric_user_ids:
        return _numbered(state, "user", _FIRST_MOODLE_USER, state.users)
    return new_id("user")


def _numbered(state: LmsState, kind: str, first: int, taken: Container[str]) -> str:
    with state.lock:
        while True:
            candidate = str(state.next_number(kind, first))
            if candidate not in taken:
                return candidate
