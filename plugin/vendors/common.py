"""Small pieces several vendor connectors share: the stand-in learner address, the
validation of typed-in settings (URLs: :mod:`plugin.http.urls`; cursors:
:mod:`plugin.vendors.cursor`), the shape a connection check expects of a listing whose
shape the docs fix, and how a connection check reports a refusal or an unreadable answer.
"""

from __future__ import annotations

import dataclasses
import hashlib
import string
import typing as t

from plugin.vendors.base import ConnectionReport
from plugin.vendors.errors import AuthError
from plugin.vendors.errors import InvalidResponseError

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterable
    from collections.abc import Mapping

    from plugin.vendors.base import Learner

#: Domain of the stand-in address of a learner whose LMS shares no e-mail (RFC 2606).
PLACEHOLDER_DOMAIN = "learners.invalid"


def candidate_email(learner: Learner) -> str:
    """The learner's e-mail, or a stable stand-in in a reserved domain when the LMS hid it.

    Vendors that key candidates by e-mail need one; a learner without one gets an
    address derived from their LMS id (never mailed, always the same).
    """
    if learner.email.strip():
        return learner.email.strip().lower()
    digest = hashlib.sha256(learner.external_id.encode("utf-8")).hexdigest()[:24]
    return f"lti-{digest}@{PLACEHOLDER_DOMAIN}"


def setting_values(
    config_class: type[t.Any],
    data: Mapping[str, str | None],
    *,
    vendor: str,
    required: Iterable[str],
) -> dict[str, str]:
    """The non-empty, stripped settings of ``data`` for the dataclass ``config_class``.

    :param vendor: the vendor's display name, used in messages.
    :raises ValueError: for an unknown setting, or the first ``required`` one missing.
    """
    known = {field.name for field in dataclasses.fields(config_class)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"unknown {vendor} setting(s): {', '.join(unknown)}")
    values = {name: value.strip() for name, value in data.items() if value}
    for name in required:
        if not values.get(name):
            raise ValueError(f"{vendor} setting {name} is required")
    return values


def template_names(template: str, *, setting: str) -> set[str]:
    """The ``{placeholder}`` names a URL template uses.

    :param setting: how messages name the setting (e.g. ``StartExam setting ...``).
    :raises ValueError: when the template is not a valid format string.
    """
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise ValueError(f"{setting} is malformed: {exc}") from exc


def checked(read: Callable[[], ConnectionReport]) -> ConnectionReport:
    """``read()``, with a refusal or an unreadable answer turned into the report.

    An :class:`InvalidResponseError` means the vendor answered the call (so it accepted
    the credentials) with something readable in no plausible form.
    """
    try:
        return read()
    except AuthError as exc:
        return ConnectionReport(auth_ok=False, detail=str(exc))
    except InvalidResponseError as exc:
        return ConnectionReport(
            auth_ok=True, detail=f"{exc.vendor} answered the read call", problem=str(exc)
        )
