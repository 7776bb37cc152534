"""The five vendor kinds: which settings each takes and which adapter serves it."""

from __future__ import annotations

import dataclasses
import typing as t

from plugin.vendors.base import VendorAdapter
from plugin.vendors.examspark import ExamSparkAdapter
from plugin.vendors.examspark import ExamSparkConfig
from plugin.vendors.imocha import IMochaAdapter
from plugin.vendors.imocha import IMochaConfig
from plugin.vendors.mettl import MettlAdapter
from plugin.vendors.mettl import MettlConfig
from plugin.vendors.proctorexam import ProctorExamAdapter
from plugin.vendors.proctorexam import ProctorExamConfig
from plugin.vendors.startexam import StartExamAdapter
from plugin.vendors.startexam import StartExamConfig


@dataclasses.dataclass(frozen=True)
class VendorKind:
    name: str
    title: str
    config: type[t.Any]
    adapter: t.Callable[..., VendorAdapter]
    proctoring_only: bool = False
    #: Whether a GET that timed out may be sent again as is (not when every request
    #: carries a one-time nonce).
    resend_reads: bool = True
    #: Whether the completion signal comes through the learner's browser (a redirect to a
    #: URL the admin configured at the vendor): such a URL is seen by the learner, so it
    #: carries the connection's browser token, never its callback token.
    browser_callback: bool = False
    #: Whether signals carry a one-time nonce to refuse when seen again: the adapter is
    #: then built with ``nonce_store`` (the shared store every worker and host sees) and
    #: ``nonce_scope`` (naming the connection).
    signal_nonces: bool = False

    def parse_config(self, values: t.Mapping[str, t.Any]) -> t.Any:
        """:raises ValueError: naming the bad or missing setting."""
        return self.config.from_mapping({k: v for k, v in values.items() if v is not None})

    @property
    def secret_fields(self) -> frozenset[str]:
        fields: frozenset[str] = self.config.SECRET_FIELDS
        return fields


KINDS: dict[str, VendorKind] = {
    kind.name: kind
    for kind in (
        VendorKind(
            "startexam", "StartExam", StartExamConfig, StartExamAdapter, browser_callback=True
        ),
        VendorKind(
            "examspark",
            "ExamSpark (Campfire Learning)",
            ExamSparkConfig,
            ExamSparkAdapter,
            signal_nonces=True,
        ),
        VendorKind("mettl", "Mercer | Mettl", MettlConfig, MettlAdapter),
        VendorKind("imocha", "iMocha", IMochaConfig, IMochaAdapter),
        VendorKind(
            "proctorexam",
            "ProctorExam",
            ProctorExamConfig,
            ProctorExamAdapter,
            proctoring_only=True,
            resend_reads=False,
        ),
    )
}


def kind_named(name: str) -> VendorKind:
    """:raises ValueError: listing the known kinds."""
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(
            f"unknown vendor kind {name!r}; known: {', '.join(sorted(KINDS))}"
        ) from None
