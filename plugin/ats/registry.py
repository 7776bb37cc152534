"""The ATS kinds: which settings each takes and which sink serves it.

A kind's package is imported on first use, so a process that never writes to an
ATS (a web worker) does not load the sinks.  Each package exports ``<Name>Config``
and ``<Name>Sink`` (see :mod:`plugin.ats.base`).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import typing as t

from plugin.ats.base import AtsSink


@dataclasses.dataclass(frozen=True)
class AtsKind:
    name: str
    title: str
    #: Prefix of the package's exported names (``Greenhouse`` -> ``GreenhouseConfig``).
    prefix: str

    @functools.cached_property
    def _package(self) -> t.Any:
        return importlib.import_module(f"plugin.ats.{self.name}")

    @property
    def config(self) -> type[t.Any]:
        config: type[t.Any] = getattr(self._package, f"{self.prefix}Config")
        return config

    @property
    def sink(self) -> t.Callable[..., AtsSink]:
        sink: t.Callable[..., AtsSink] = getattr(self._package, f"{self.prefix}Sink")
        return sink

    def parse_config(self, values: t.Mapping[str, t.Any]) -> t.Any:
        """:raises ValueError: naming the bad or missing setting."""
        return self.config.from_mapping(
            {k: str(v) for k, v in values.items() if v is not None and v != ""}
        )

    @property
    def secret_fields(self) -> frozenset[str]:
        fields: frozenset[str] = self.config.SECRET_FIELDS
        return fields


KINDS: dict[str, AtsKind] = {
    kind.name: kind
    for kind in (
        AtsKind("greenhouse", "Greenhouse Harvest v3", "Greenhouse"),
        AtsKind("workable", "Workable SPI v3", "Workable"),
        AtsKind("webhook", "Signed webhook", "Webhook"),
    )
}


def kind_named(name: str) -> AtsKind:
    """:raises ValueError: listing the known kinds."""
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown ATS kind {name!r}; known: {', '.join(sorted(KINDS))}") from None
