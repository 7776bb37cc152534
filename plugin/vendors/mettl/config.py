"""Settings of one Mettl connection (``vendor add mettl``)."""

from __future__ import annotations

import dataclasses
import typing as t

from plugin.http.urls import checked_base_url

if t.TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Self

DEFAULT_BASE_URL = "https://api.mettl.com"


@dataclasses.dataclass(frozen=True)
class MettlConfig:
    """Credentials and endpoints of one Mettl account.

    :ivar public_key: the Public-API-Key, sent as ``ak``.
    :ivar private_key: the Private-API-Key that keys the ``asgn`` HMAC.
    :ivar base_url: API root without a trailing slash (signatures cover the full URL).
    :ivar registration_link_field: the key of a ``registrationStatus`` entry holding the
        candidate's test link. The KB does not name it ("Register Candidates in
        Schedule" is documented without a response sample), so ``url`` is the chosen
        reading and this setting lets an admin follow what the account really returns.
    """

    SECRET_FIELDS: t.ClassVar[frozenset[str]] = frozenset({"private_key"})

    public_key: str
    private_key: str
    base_url: str = DEFAULT_BASE_URL
    registration_link_field: str = "url"

    @classmethod
    def from_mapping(cls, data: Mapping[str, str]) -> Self:
        """Build and validate settings from strings (CLI options or stored values).

        :raises ValueError: naming the first missing, unknown or invalid field.
        """
        names = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown Mettl setting: {unknown[0]}")
        values = {name: str(value).strip() for name, value in data.items()}
        for name in ("public_key", "private_key"):
            if not values.get(name):
                raise ValueError(f"{name} is required for a Mettl connection")
        values["base_url"] = checked_base_url(values.get("base_url") or DEFAULT_BASE_URL)
        if not values.setdefault("registration_link_field", "url"):
            raise ValueError("registration_link_field must not be empty")
        return cls(**values)
