"""Reading the ``sc`` JSON of Edit Schedule (KB "Edit Schedule",
``POST /v2/schedules/{access-key}/edit``).

The simulator's reading (``docs/vendors/mettl.md#edit-schedule``): only the keys given
change; ``sourceApp`` is mandatory as in every ``sc``; a key outside the documented ones
is refused; each of the five URL settings is an absolute ``http``/``https`` URL, or the
empty string that clears it. The simulator keeps ``name`` and the exit, finish and
graded URLs (it sends no start or resume notification) and accepts the other documented
keys without modelling them.
"""

from __future__ import annotations

import json
import typing as t
import urllib.parse

from plugin.sandbox.vendors.mettl.errors import SimulatorError

#: ``sc`` URL settings the simulator keeps -> :class:`Schedule` attribute.
KEPT_URLS = {
    "exitRedirectionUrl": "exit_url",
    "testFinishNotificationUrl": "finish_url",
    "testGradedNotificationUrl": "graded_url",
}
URL_KEYS = (*KEPT_URLS, "testStartNotificationUrl", "testResumeEnabledForExpiredTestURL")
OTHER_KEYS = (
    "name",
    "sourceApp",
    "access",
    "scheduleType",
    "scheduleWindow",
    "webProctoring",
    "visualProctoring",
    "secureBrowser",
    "ipAccessRestriction",
    "allowCopyPaste",
)


def schedule_changes(raw: str | None) -> dict[str, t.Any]:
    """The checked ``sc`` object.

    :raises SimulatorError: E400 naming the first problem.
    """
    try:
        settings = json.loads(raw or "")
    except ValueError:
        settings = None
    if not isinstance(settings, dict):
        raise SimulatorError("E400", "sc must be a JSON object of schedule settings")
    unknown = sorted(set(settings) - {*URL_KEYS, *OTHER_KEYS})
    if unknown:
        raise SimulatorError("E400", f"Unknown schedule settings: {', '.join(unknown)}")
    source = settings.get("sourceApp")
    if not isinstance(source, str) or not source.strip():
        raise SimulatorError("E400", "sourceApp is mandatory")
    name = settings.get("name")
    if "name" in settings and (not isinstance(name, str) or not name.strip()):
        raise SimulatorError("E400", "Invalid value for name: must be a non-empty string")
    for key in URL_KEYS:
        if key in settings and not _is_url_setting(settings[key]):
            raise SimulatorError(
                "E400", f"Invalid value for {key}: must be an absolute http(s) URL or empty"
            )
    return settings


def _is_url_setting(value: t.Any) -> bool:
    if value == "":
        return True
    if not isinstance(value, str) or any(c.isspace() for c in value):
        return False
    parts = urllib.parse.urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)
