"""Tolerant reading of answers whose shape the vendor's public documentation leaves open.

Where a vendor's page shows no response body (or cuts it off), a real account may
answer a listing as a bare JSON array or as an array under some key, and a record bare
or inside a one-key wrapper. :func:`read_list` and :func:`read_object` accept those
plausible forms, say which one was seen (logged at INFO once per connection and
process; a form other than the one our docs name becomes a warning for ``vendor
test``) and refuse, describing what came, an answer readable in none of them.
Where the documentation does fix the shape, the clients keep their strict checks.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import typing as t
from collections.abc import Callable

from plugin.vendors.errors import InvalidResponseError

if t.TYPE_CHECKING:
    from collections.abc import Sequence

T = t.TypeVar("T")
Json = dict[str, t.Any]

#: The keys a listing is looked for under when the docs name none (or name one of them).
LIST_KEYS = ("tests", "items", "data", "result")

logger = logging.getLogger(__name__)
_logged: set[tuple[str, str, str]] = set()
_logged_guard = threading.Lock()


@dataclasses.dataclass(frozen=True)
class Call:
    """Which answer is being read, for messages and the once-only log.

    :param vendor: the vendor's kind (``startexam``), for errors.
    :param title: its display name (``StartExam``), for the log and warnings.
    :param request: the call as a person would name it (``GET /v1/tests``).
    :param what: what the answer should be (``the test list``).
    :param connection: identifies the connection within the process (e.g. base URL and
        account), so each connection logs the form it sees once.
    """

    vendor: str
    title: str
    request: str
    what: str
    connection: str


@dataclasses.dataclass(frozen=True)
class Shaped(t.Generic[T]):
    """A value read from an answer, with the form it came in.

    :ivar form: e.g. ``a bare list``, ``a list under 'tests'``, ``a bare object``.
    :ivar warning: set when the form is not the one our docs name.
    """

    value: T
    form: str
    warning: str | None = None

    @property
    def warnings(self) -> tuple[str, ...]:
        return (self.warning,) if self.warning else ()


def read_list(
    data: object,
    *,
    call: Call,
    item_key: str,
    documented: str | None,
    keys: Sequence[str] = LIST_KEYS,
    item_is: Callable[[object], bool] | None = None,
) -> Shaped[list[Json]]:
    """The list of objects that each carry ``item_key``, bare or under one of ``keys``.

    :param documented: the key our docs name for the list (None: the bare list).
    :param item_is: what makes an item one, when ``item_key`` holds more than an id.
    :raises InvalidResponseError: readable in no form, with what came described.
    """
    accepts = item_is or carries_id(item_key)
    if _all_have(data, accepts):
        return _seen(t.cast("list[Json]", data), "a bare list", documented is None, call)
    if isinstance(data, dict):
        for key in keys:
            if _all_have(data.get(key), accepts):
                return _seen(data[key], f"a list under {key!r}", key == documented, call)
    forms = f"a bare list, or a list under {_either(keys)}" if keys else "a bare list"
    raise InvalidResponseError(
        f"answered {call.request} with {describe(data, item_key, keys, accepts)}; that is not "
        f"{call.what} (objects that each have {item_key!r}) in any plausible form ({forms})",
        vendor=call.vendor,
    )


def read_object(
    data: object, *, call: Call, wrapper: str, required: str, documented_wrapped: bool
) -> Shaped[Json]:
    """The object carrying ``required``, bare or under ``wrapper``.

    :param documented_wrapped: whether our docs name the wrapped form.
    :raises InvalidResponseError: readable in neither form, with what came described.
    """
    if isinstance(data, dict):
        inner = data.get(wrapper)
        if has_id(inner, required):
            return _seen(inner, f"an object under {wrapper!r}", documented_wrapped, call)
        if has_id(data, required):
            return _seen(data, "a bare object", not documented_wrapped, call)
    raise InvalidResponseError(
        f"answered {call.request} with {describe(data, required, (wrapper,))}; that is not "
        f"{call.what} (an object with {required!r}) bare or under {wrapper!r}",
        vendor=call.vendor,
    )


def describe(
    data: object,
    item_key: str,
    keys: Sequence[str] = (),
    accepts: Callable[[object], bool] | None = None,
) -> str:
    """What an answer is, in a few words, for a message about its shape."""
    accepts = accepts or carries_id(item_key)
    if isinstance(data, list):
        lacking = sum(1 for item in data if not accepts(item))
        return f"a bare list of {len(data)} item(s), {lacking} without {item_key!r}"
    if isinstance(data, dict):
        names = ", ".join(repr(key) for key in list(data)[:8]) or "none"
        inner = [
            f"{describe(data[key], item_key, (), accepts)} under {key!r}"
            for key in keys
            if key in data
        ]
        return f"an object with keys {names}" + "".join(f"; {part}" for part in inner)
    return {str: "a string", bool: "a boolean", type(None): "null"}.get(type(data), "a number")


def _seen(value: T, form: str, expected: bool, call: Call) -> Shaped[T]:
    with _logged_guard:
        first = (call.connection, call.request, form) not in _logged
        _logged.add((call.connection, call.request, form))
    if first:
        logger.info("%s answered %s with %s", call.title, call.request, form)
    warning = (
        None
        if expected
        else f"{call.title} answered {call.request} with {form}; read as {call.what}"
    )
    return Shaped(value, form, warning)


def _all_have(data: object, accepts: Callable[[object], bool]) -> bool:
    return isinstance(data, list) and all(accepts(item) for item in data)


def carries_id(key: str) -> Callable[[object], bool]:
    """The test of :func:`has_id` for ``key``, as :func:`read_list` takes it."""

    def accepts(item: object) -> bool:
        return has_id(item, key)

    return accepts


def has_id(item: object, key: str) -> t.TypeGuard[Json]:
    """Whether ``item`` is an object whose ``key`` is a non-empty string or a whole number."""
    if not isinstance(item, dict):
        return False
    value = item.get(key)
    if isinstance(value, str):
        return bool(value.strip())
    return isinstance(value, int) and not isinstance(value, bool)


def read_enveloped_list(
    data: object,
    *,
    call: Call,
    item_key: str,
    envelope: str,
    documented: str,
    keys: Sequence[str] = LIST_KEYS,
) -> Shaped[list[Json]]:
    """:func:`read_list` for a vendor whose documented answers wrap their content in an
    ``envelope`` object (iMocha's ``{"result": {...}, "errors": null}``): the list under
    one of ``keys`` inside the envelope, else bare, else under one of ``keys`` or
    ``envelope`` itself.

    :param documented: the key our docs name for the list inside the envelope.
    :raises InvalidResponseError: readable in no form, with what came described.
    """
    accepts = carries_id(item_key)
    inner_keys = [key for key in keys if key != envelope]
    inner = data.get(envelope) if isinstance(data, dict) else None
    if isinstance(inner, dict):
        for key in inner_keys:
            if _all_have(inner.get(key), accepts):
                form = f"a list under {key!r} inside {envelope!r}"
                return _seen(inner[key], form, key == documented, call)
    if _all_have(data, accepts):
        return _seen(t.cast("list[Json]", data), "a bare list", False, call)
    outer_keys = [envelope, *inner_keys]
    if isinstance(data, dict):
        for key in outer_keys:
            if _all_have(data.get(key), accepts):
                return _seen(data[key], f"a list under {key!r}", False, call)
    if isinstance(inner, dict):
        what = describe(data, item_key, inner_keys)
        what += f"; inside {envelope!r}, {describe(inner, item_key, inner_keys)}"
    else:
        what = describe(data, item_key, outer_keys)
    raise InvalidResponseError(
        f"answered {call.request} with {what}; that is not {call.what} (objects that each "
        f"have {item_key!r}) in any plausible form (a list under {_either(inner_keys)} "
        f"inside {envelope!r}, a bare list, or a list under {_either(outer_keys)})",
        vendor=call.vendor,
    )


def _either(keys: Sequence[str]) -> str:
    quoted = [repr(key) for key in keys]
    return " or ".join(filter(None, [", ".join(quoted[:-1]), *quoted[-1:]]))
