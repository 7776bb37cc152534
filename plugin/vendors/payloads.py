"""Reading the JSON body of a completion signal, whoever sent it.

Callback URLs are reachable by anyone who has (or guesses at) one, so a body is read as
hostile: :func:`json_body` turns every way it can be unusable into a
:class:`SignalRejectedError` with the status to answer, instead of an exception the web
layer would answer with 500.

- Only UTF-8 is read (RFC 8259 §8.1): a ``charset`` other than UTF-8 in the
  ``Content-Type`` is refused with 415, bytes that are not UTF-8 with 400.
- Nesting is bounded (:data:`MAX_DEPTH`) before :func:`json.loads` runs: Python's
  decoder recurses once per level and raises :class:`RecursionError` on a body of a few
  thousand brackets, so the depth is measured first by a scan that does not recurse.
- Text no column can hold is refused: a NUL, or a lone surrogate (``"\\ud800"`` decodes
  to one), would fail in the database when the signal names an attempt with it.

The size of a body is bounded by the web layer (``MAX_CONTENT_LENGTH``, answered 413).
"""

from __future__ import annotations

import json
import re
import typing as t

from plugin.vendors.errors import SignalRejectedError

if t.TYPE_CHECKING:
    from plugin.vendors.base import IncomingRequest

#: Deepest nesting of arrays and objects read; every vendor's signal is a flat object.
MAX_DEPTH = 32
#: Charsets that are UTF-8 (US-ASCII is a subset of it).
UTF8_CHARSETS = frozenset({"utf-8", "utf8", "us-ascii"})

#: A JSON string, possibly unterminated: the pattern never fails, so removing strings
#: takes one pass whatever the body.
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_ONE_KIND = str.maketrans("{}", "[]")
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def json_body(request: IncomingRequest, *, what: str) -> t.Any:
    """The decoded JSON of ``request``'s body.

    :param what: the body as a person names it in an answer ("iMocha callback body").
    :raises SignalRejectedError: 415 for a declared charset other than UTF-8; 400 for
        bytes that are not UTF-8, nesting deeper than :data:`MAX_DEPTH`, text that is
        not JSON, or strings holding a NUL or a lone surrogate.
    """
    charset = declared_charset(request.header("Content-Type") or "")
    if charset is not None and charset not in UTF8_CHARSETS:
        raise SignalRejectedError(
            f"{what} declares charset {charset!r}; only UTF-8 JSON is read", status=415
        )
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SignalRejectedError(f"{what} is not JSON: it is not UTF-8 text") from exc
    if nested_deeper_than(text, MAX_DEPTH):
        raise SignalRejectedError(f"{what} is nested deeper than {MAX_DEPTH} levels")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SignalRejectedError(
            f"{what} is not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from exc
    if _holds_unstorable_text(data):
        raise SignalRejectedError(f"{what} holds a NUL character or a lone surrogate")
    return data


def declared_charset(content_type: str) -> str | None:
    """The ``charset`` parameter of a ``Content-Type`` value, lower-cased, if any."""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def nested_deeper_than(text: str, limit: int) -> bool:
    """Whether the arrays and objects of ``text`` nest deeper than ``limit``.

    Brackets inside strings do not count; a closing bracket never takes the depth below
    zero, so stray ones cannot hide a deep run that follows. The text need not be valid
    JSON (:func:`json.loads` judges that once the depth is known to be safe).
    """
    if text.count("[") + text.count("{") <= limit:
        return False
    # Strings and everything but brackets go first, in C; the loop sees brackets only.
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text)).translate(_ONE_KIND)
    depth = 0
    for bracket in brackets:
        if bracket == "[":
            depth += 1
            if depth > limit:
                return True
        elif depth:
            depth -= 1
    return False


def storable(text: str) -> bool:
    """Whether ``text`` can be stored and compared in every database (no NUL, no lone
    surrogate)."""
    return _UNSTORABLE.search(text) is None


def _holds_unstorable_text(data: t.Any) -> bool:
    """Whether a key or string value of ``data`` holds a NUL or a lone surrogate.

    Walks with a stack, not recursion (the depth is bounded already, but a walk that
    cannot overflow needs no argument).
    """
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if not storable(value):
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False
