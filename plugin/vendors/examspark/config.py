"""Settings of one ExamSpark (Campfire Learning) connection.

``vendor add examspark`` sets ``app_key``, ``app_secret``, ``workspace_id`` and
``base_url``.  The other fields have defaults and exist because the public
documentation leaves the matching behaviour open; each one names the reading
chosen by default.
"""

from __future__ import annotations

import dataclasses
import re
import typing as t

from plugin.http.urls import is_http_url

if t.TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Self

#: The only REST host the documentation shows (in a ``lis_outcome_service_url``
#: example); no page names the production host, so override it with ``--base-url``.
DEFAULT_BASE_URL = "https://api.examspark.dev"
#: Why attempts cannot start until the SDK bundle is pinned: the documentation names the v2
#: bundle only as ``@latest`` and publishes no integrity hash, so no default can be pinned.
SDK_PIN_REQUIRED = (
    "set sdk_script_url to a fixed version of the SDK bundle (never @latest) and"
    " sdk_script_integrity to its hash (sha384-...): the vendor documents neither"
)
_SDK_PIN_HELP = {
    "help": "Required before attempts can start: the SDK bundle at a fixed version, e.g."
    " https://unpkg.com/@campfirelearning/sdk-js@<version>/dist/browser/index.js."
}
_SDK_INTEGRITY_HELP = {
    "help": "Required before attempts can start: the bundle's subresource-integrity hash,"
    " e.g. sha384-<base64> (`openssl dgst -sha384 -binary index.js | openssl base64 -A`)."
}
_CSP_UNSAFE = re.compile(r"[\s;,'\"]")
_INTEGRITY = re.compile(r"sha(256|384|512)-[A-Za-z0-9+/]+={0,2}")

OUTCOME_FORMATS = frozenset({"pox", "json", "both"})
BASIC_AUTH_STYLES = frozenset({"rfc7617", "plain"})
CREATE_PATH_STYLES = frozenset({"singular", "plural"})
USER_ID_SOURCES = frozenset({"external_id", "email"})


@dataclasses.dataclass(frozen=True)
class ExamSparkConfig:
    """One ExamSpark connection.

    :ivar app_key: the workspace app key (Basic user name; also the OAuth consumer key).
    :ivar app_secret: the app secret (Basic password; also the OAuth consumer secret).
    :ivar workspace_id: the workspace, e.g. ``focus1f8-district``.
    :ivar base_url: REST host; paths start with ``/api/``.
    :ivar outcome_format: grade-passback bodies accepted: LTI 1.1 POX XML, the JSON
        form, or both (the wire format is undocumented).
    :ivar basic_auth: ``rfc7617`` sends ``Basic base64(key:secret)``; ``plain`` sends
        ``Basic key:secret`` literally, as the documentation samples show it.
    :ivar create_session_path: the docs name the create route both
        ``.../exam-session`` (sample request, the default) and ``.../exam-sessions``.
    :ivar user_id_source: the learner value sent as ``user_id``; ``external_id`` keeps the
        deterministic session id stable when an e-mail address changes.
    :ivar sdk_login_email: the workspace account for ``POST /api/login/sdk``; empty means
        the learner's own e-mail address.
    :ivar sdk_script_url: the SDK bundle our player page loads, pinned to one version; empty
        until the admin sets it (the documentation names only ``@latest``), and then no
        attempt can start (:data:`SDK_PIN_REQUIRED`).
    :ivar sdk_script_integrity: the bundle's subresource-integrity hash, set with the URL.
    :ivar oauth_timestamp_window_s: how far a passback's ``oauth_timestamp`` may drift.
    :ivar page_size: ``limit`` sent when listing sessions; ``None`` leaves the vendor default.
    """

    SECRET_FIELDS: t.ClassVar[frozenset[str]] = frozenset({"app_secret"})

    app_key: str
    app_secret: str
    workspace_id: str
    base_url: str = DEFAULT_BASE_URL
    outcome_format: str = "both"
    basic_auth: str = "rfc7617"
    create_session_path: str = "singular"
    user_id_source: str = "external_id"
    sdk_login_email: str = ""
    sdk_script_url: str = dataclasses.field(default="", metadata=_SDK_PIN_HELP)
    sdk_script_integrity: str = dataclasses.field(default="", metadata=_SDK_INTEGRITY_HELP)
    oauth_timestamp_window_s: int = 300
    page_size: int | None = None

    def __post_init__(self) -> None:
        for name in ("app_key", "app_secret", "workspace_id"):
            if not getattr(self, name).strip():
                raise ValueError(f"{name} is required")
        _check_choice("outcome_format", self.outcome_format, OUTCOME_FORMATS)
        _check_choice("basic_auth", self.basic_auth, BASIC_AUTH_STYLES)
        _check_choice("create_session_path", self.create_session_path, CREATE_PATH_STYLES)
        _check_choice("user_id_source", self.user_id_source, USER_ID_SOURCES)
        _check_url("base_url", self.base_url)
        _check_sdk_pin(self.sdk_script_url, self.sdk_script_integrity)
        if not 1 <= self.oauth_timestamp_window_s <= 86400:
            raise ValueError("oauth_timestamp_window_s must be between 1 and 86400")
        if self.page_size is not None and not 1 <= self.page_size <= 100:
            raise ValueError("page_size must be between 1 and 100")
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))

    @property
    def sdk_pinned(self) -> bool:
        """Whether the player page has a pinned, hashed SDK bundle to load."""
        return bool(self.sdk_script_url and self.sdk_script_integrity)

    @classmethod
    def from_mapping(cls, data: Mapping[str, str]) -> Self:
        """Build from string settings (CLI flags, stored JSON); blanks take the default.

        :raises ValueError: naming the unknown, missing or invalid field.
        """
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown ExamSpark settings: {', '.join(unknown)}")
        values: dict[str, t.Any] = {k: v.strip() for k, v in data.items() if v and v.strip()}
        for name in ("app_key", "app_secret", "workspace_id"):
            values.setdefault(name, "")
        for name in ("oauth_timestamp_window_s", "page_size"):
            if name in values:
                values[name] = _integer(name, values[name])
        return cls(**values)


def _check_choice(name: str, value: str, allowed: frozenset[str]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(sorted(allowed))}")


def _check_url(name: str, value: str) -> None:
    if not is_http_url(value, allow_query=True, allow_fragment=True):
        raise ValueError(f"{name} must be an http(s) URL")


def _check_sdk_pin(url: str, integrity: str) -> None:
    """Both or neither: a URL without a hash would load whatever is served there."""
    if bool(url) != bool(integrity):
        raise ValueError("sdk_script_url and sdk_script_integrity are set together")
    if not url:
        return
    # It is written into the page's Content-Security-Policy as it stands.
    if not is_http_url(url) or _CSP_UNSAFE.search(url):
        raise ValueError("sdk_script_url must be an http(s) URL without query or fragment")
    if "@latest" in url:
        raise ValueError("sdk_script_url must name a fixed version, not @latest")
    if not _INTEGRITY.fullmatch(integrity):
        raise ValueError("sdk_script_integrity must look like sha384-<base64>")


def _integer(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number") from None
