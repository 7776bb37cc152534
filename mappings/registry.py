"""Vendor kind name -> loader of its raw result payload."""

from __future__ import annotations

import typing as t
from collections.abc import Callable
from collections.abc import Mapping

from mappings import examspark
from mappings import imocha
from mappings import mettl
from mappings import proctorexam
from mappings import startexam
from mappings.proctorexam import merge_proctoring
from mappings.result import AssessmentResult

Loader = Callable[[Mapping[str, t.Any]], AssessmentResult]

_LOADERS: Mapping[str, Loader] = {
    "startexam": startexam.load_result,
    "examspark": examspark.load_result,
    "mettl": mettl.load_result,
    "imocha": imocha.load_result,
    "proctorexam": proctorexam.load_result,
}

#: Every vendor kind :func:`load_result` understands.
KNOWN_KINDS: tuple[str, ...] = tuple(sorted(_LOADERS))


def load_result(kind: str, raw: Mapping[str, t.Any]) -> AssessmentResult:
    """Map a vendor's raw result payload (parsed JSON) to the canonical result.

    :param kind: one of :data:`KNOWN_KINDS`.
    :raises ValueError: for an unknown ``kind``.
    :raises marshmallow.ValidationError: when ``raw`` is not a valid payload of that
        vendor; its messages are keyed by the offending field's path.
    """
    loader = _LOADERS.get(kind)
    if loader is None:
        raise ValueError(f"Unknown vendor kind {kind!r}; known kinds: {', '.join(KNOWN_KINDS)}.")
    return loader(raw)


__all__ = ["KNOWN_KINDS", "Loader", "load_result", "merge_proctoring"]
