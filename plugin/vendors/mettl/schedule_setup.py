"""The schedule settings that point a Mettl schedule at the tool (KB "Edit Schedule").

``sc`` sets the finish and graded notification URLs to the connection's callback URL
with ``accessKey=<schedule access key>`` appended (so even the graded notification,
whose payload names no schedule, names its attempt) and the exit redirection URL to the
tool's exit page. ``sourceApp`` is documented as mandatory in ``sc``; it is sent with
edits too (``docs/vendors/mettl.md#edit-schedule``).
"""

from __future__ import annotations

import typing as t
import urllib.parse

from plugin.vendors.mettl.notifications import ACCESS_KEY_PARAM

if t.TYPE_CHECKING:
    from plugin.vendors.base import CompletionUrls

SOURCE_APP = "assessment-bridge"
NOTIFICATION_FIELDS = ("testFinishNotificationUrl", "testGradedNotificationUrl")
EXIT_FIELD = "exitRedirectionUrl"


def schedule_settings(access_key: str, urls: CompletionUrls) -> dict[str, str]:
    """The ``sc`` object of the edit: ``sourceApp`` and the three URLs."""
    notification = keyed_url(urls.notification_url, access_key)
    settings = {"sourceApp": SOURCE_APP}
    settings.update(dict.fromkeys(NOTIFICATION_FIELDS, notification))
    settings[EXIT_FIELD] = urls.exit_url
    return settings


def keyed_url(url: str, access_key: str) -> str:
    """``url`` with ``accessKey=<access_key>`` in its query (replacing one given)."""
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != ACCESS_KEY_PARAM]
    query.append((ACCESS_KEY_PARAM, access_key))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def described(access_key: str, settings: t.Mapping[str, str]) -> list[str]:
    """One line per URL set, for people."""
    return [
        f"Mettl schedule {access_key}: {field} = {settings[field]}"
        for field in (*NOTIFICATION_FIELDS, EXIT_FIELD)
    ]
