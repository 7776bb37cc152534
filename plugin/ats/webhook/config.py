"""Settings of one signed-webhook connection (``ats add webhook``)."""

from __future__ import annotations

import dataclasses
import typing as t
import urllib.parse

from plugin.vendors.common import setting_values

if t.TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Self

MIN_SECRET_LENGTH = 16
#: Hosts that may be reached over plain http (a receiver on this machine, e.g. the sandbox).
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclasses.dataclass(frozen=True)
class WebhookConfig:
    """A receiver of signed result deliveries.

    Receivers check ``X-Bridge-Signature`` with
    :func:`plugin.ats.webhook.signature.verify_signature` (or its ten lines in their
    own language) and should refuse timestamps more than 300 s from their clock.

    :ivar url: where results are posted: ``https``, or ``http`` on a loopback host.
    :ivar secret: the shared HMAC-SHA256 key (at least 16 characters).
    """

    SECRET_FIELDS: t.ClassVar[frozenset[str]] = frozenset({"secret"})

    url: str
    secret: str = dataclasses.field(repr=False)

    @classmethod
    def from_mapping(cls, data: Mapping[str, str]) -> Self:
        """Build and validate settings from strings (CLI options or stored values).

        :raises ValueError: naming the first unknown, missing or invalid setting.
        """
        values = setting_values(cls, data, vendor="Webhook", required=("url", "secret"))
        _check_url(values["url"])
        if len(values["secret"]) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"Webhook setting secret must be at least {MIN_SECRET_LENGTH} characters"
            )
        return cls(**values)


def _check_url(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    try:
        host = parts.hostname
    except ValueError:
        host = None
    if not host or parts.fragment or parts.scheme not in {"http", "https"}:
        raise ValueError("Webhook setting url must be an absolute https URL")
    if parts.username or parts.password:
        raise ValueError("Webhook setting url must not hold credentials (the secret signs)")
    if parts.scheme == "http" and host not in LOOPBACK_HOSTS:
        raise ValueError(
            "Webhook setting url must use https (plain http only for 127.0.0.1 or localhost)"
        )
