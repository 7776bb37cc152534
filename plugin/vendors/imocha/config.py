"""Settings of one iMocha connection (``vendor add imocha``)."""

from __future__ import annotations

import dataclasses
import typing as t

from plugin.http.urls import checked_base_url

if t.TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Self

DEFAULT_BASE_URL = "https://apiv3.imocha.io"
REPORT_TYPES = (1, 2, 3)


@dataclasses.dataclass(frozen=True)
class IMochaConfig:
    """Credentials and endpoints of one iMocha account.

    :ivar api_key: the static key sent as ``X-API-KEY``.
    :ivar base_url: API root without a trailing slash (the older docs use
        ``https://apiv3.interviewmocha.com``; regional hosts are not documented).
    :ivar report_type: the report fetched as the result: 1 sections, 2 skills, 3 both.
    :ivar reconcile_window_hours: how far back "Retrieve Invites" looks. Its date range
        is documented without saying which date it filters on; the chosen reading is
        the date an invitation reached the queried state, and each sweep re-reads this
        many hours before the previous sweep's end so that late changes are not missed.
    """

    SECRET_FIELDS: t.ClassVar[frozenset[str]] = frozenset({"api_key"})

    api_key: str
    base_url: str = DEFAULT_BASE_URL
    report_type: int = 3
    reconcile_window_hours: int = 72

    @classmethod
    def from_mapping(cls, data: Mapping[str, str]) -> Self:
        """Build and validate settings from strings (CLI options or stored values).

        :raises ValueError: naming the first missing, unknown or invalid field.
        """
        names = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown iMocha setting: {unknown[0]}")
        api_key = str(data.get("api_key", "")).strip()
        if not api_key:
            raise ValueError("api_key is required for an iMocha connection")
        report_type = _integer(data, "report_type", 3)
        if report_type not in REPORT_TYPES:
            raise ValueError(f"report_type must be one of {REPORT_TYPES}, got {report_type}")
        window = _integer(data, "reconcile_window_hours", 72)
        if not 1 <= window <= 24 * 90:
            raise ValueError("reconcile_window_hours must be from 1 to 2160")
        return cls(
            api_key=api_key,
            base_url=checked_base_url(str(data.get("base_url") or "").strip() or DEFAULT_BASE_URL),
            report_type=report_type,
            reconcile_window_hours=window,
        )


def _integer(data: Mapping[str, str], name: str, default: int) -> int:
    raw = str(data.get(name, "")).strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise ValueError(f"{name} must be a whole number, got {raw!r}")
    return int(raw)
