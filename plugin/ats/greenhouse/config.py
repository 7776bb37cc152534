"""Settings of one Greenhouse Harvest v3 connection (``ats add greenhouse``)."""

from __future__ import annotations

import dataclasses
import math
import typing as t

from plugin.http.urls import checked_base_url
from plugin.vendors.common import setting_values

if t.TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Self

DEFAULT_BASE_URL = "https://harvest.greenhouse.io"
DEFAULT_TOKEN_URL = "https://auth.greenhouse.io/token"  # noqa: S105 (a URL, not a secret)
NOTE_VISIBILITIES = frozenset({"admin_only", "private", "public"})


@dataclasses.dataclass(frozen=True)
class GreenhouseConfig:
    """Credentials and endpoints of one Greenhouse account.

    :ivar client_id: the OAuth2 client of a customer-built Harvest v3 integration.
    :ivar client_secret: its secret (HTTP Basic password at the token endpoint).
    :ivar user_id: the Greenhouse user the writes are made as (sent as ``sub``); writes
        and notes are audited as this user.
    :ivar base_url: Harvest API root without a trailing slash.
    :ivar token_url: the OAuth2 token endpoint.
    :ivar note_visibility: visibility of the fallback note.
    :ivar max_wait_seconds: longest pause for a rate-limit window to reset before a
        delivery gives up with a retryable error instead.
    :ivar job_id: when set, the e-mail lookup only finds candidates with an
        application on this job.
    """

    SECRET_FIELDS: t.ClassVar[frozenset[str]] = frozenset({"client_secret"})

    client_id: str
    client_secret: str = dataclasses.field(repr=False)
    user_id: str
    base_url: str = DEFAULT_BASE_URL
    token_url: str = DEFAULT_TOKEN_URL
    note_visibility: str = "admin_only"
    max_wait_seconds: float = 10.0
    job_id: str | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, str]) -> Self:
        """Build and validate settings from strings (CLI options or stored values).

        :raises ValueError: naming the first unknown, missing or invalid setting.
        """
        values: dict[str, t.Any] = setting_values(
            cls, data, vendor="Greenhouse", required=("client_id", "client_secret", "user_id")
        )
        _positive_integer(values, "user_id")
        _positive_integer(values, "job_id")
        values["base_url"] = checked_base_url(values.get("base_url", DEFAULT_BASE_URL))
        values["token_url"] = _token_url(values.get("token_url", DEFAULT_TOKEN_URL))
        visibility = values.setdefault("note_visibility", "admin_only")
        if visibility not in NOTE_VISIBILITIES:
            allowed = ", ".join(sorted(NOTE_VISIBILITIES))
            raise ValueError(f"Greenhouse setting note_visibility must be one of: {allowed}")
        values["max_wait_seconds"] = _seconds(values.get("max_wait_seconds", "10"))
        return cls(**values)


def _positive_integer(values: dict[str, t.Any], name: str) -> None:
    value = values.get(name)
    if value is not None and not (value.isascii() and value.isdigit() and int(value) > 0):
        raise ValueError(f"Greenhouse setting {name} must be a Greenhouse id (a positive integer)")


def _token_url(value: str) -> str:
    try:
        return checked_base_url(value)
    except ValueError:
        raise ValueError(
            f"Greenhouse setting token_url must be an absolute http(s) URL, got {value!r}"
        ) from None


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError("Greenhouse setting max_wait_seconds must be a number of seconds >= 0")
    return seconds
