"""Settings of one Workable SPI v3 connection (``ats add workable``)."""

from __future__ import annotations

import dataclasses
import math
import re
import typing as t

from plugin.http.urls import checked_base_url
from plugin.vendors.common import setting_values

if t.TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Self

_SUBDOMAIN = re.compile(r"[a-z0-9-]+")


@dataclasses.dataclass(frozen=True)
class WorkableConfig:
    """One Workable account reached with an account (API access) token.

    :ivar subdomain: the account's subdomain (``<subdomain>.workable.com``).
    :ivar token: the API access token, sent as ``Authorization: Bearer``; it needs
        ``r_candidates`` and ``r_jobs`` (``update_custom_attribute_value`` asks for
        ``r_jobs``).
    :ivar base_url: API root without a trailing slash; ``https://<subdomain>.workable.com``
        unless set (the sandbox sets it).
    :ivar max_wait_seconds: longest pause for a rate-limit interval to reset before a
        delivery gives up with a retryable error instead.
    """

    SECRET_FIELDS: t.ClassVar[frozenset[str]] = frozenset({"token"})

    subdomain: str
    token: str = dataclasses.field(repr=False)
    base_url: str = ""
    max_wait_seconds: float = 10.0

    @classmethod
    def from_mapping(cls, data: Mapping[str, str]) -> Self:
        """Build and validate settings from strings (CLI options or stored values).

        :raises ValueError: naming the first unknown, missing or invalid setting.
        """
        values: dict[str, t.Any] = setting_values(
            cls, data, vendor="Workable", required=("subdomain", "token")
        )
        subdomain = values["subdomain"]
        if not _SUBDOMAIN.fullmatch(subdomain):
            raise ValueError(
                "Workable setting subdomain must be lower-case letters, digits and hyphens "
                "(the <subdomain> of <subdomain>.workable.com)"
            )
        base_url = values.get("base_url") or f"https://{subdomain}.workable.com"
        values["base_url"] = checked_base_url(base_url)
        values["max_wait_seconds"] = _seconds(values.get("max_wait_seconds", "10"))
        return cls(**values)


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError("Workable setting max_wait_seconds must be a number of seconds >= 0")
    return seconds
