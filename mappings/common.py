"""Building blocks shared by the vendor schemas.

:class:`VendorSchema` is the base of every vendor schema: unknown keys are ignored,
shape fixes live in :meth:`VendorSchema.normalise` (run as a ``pre_load`` hook) and
the object is built in :meth:`VendorSchema.make` (run as a ``post_load`` hook).

:class:`Record`, :class:`RecordList` and :class:`RecordMap` load nested records with
such a schema. They run the same field objects, ``normalise`` and ``make`` as
``Nested(schema)``, ``List(Nested(schema))`` and ``Dict(values=Nested(schema))`` and
report the same error messages, but without the per-record ``Schema.load`` machinery:
a StartExam report carries one record per question, and that machinery was most of
the cost of mapping it (see ``bench/mappings.py``). Nested vendor schemas must keep
their hooks to ``normalise`` and ``make``.
"""

from __future__ import annotations

import decimal
import typing as t
from collections.abc import Iterable
from collections.abc import Mapping

from marshmallow import EXCLUDE
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import missing
from marshmallow import post_load
from marshmallow import pre_load
from marshmallow.exceptions import SCHEMA

from mappings.fields import LeanField
from mappings.fields import is_lean
from mappings.fields import token
from mappings.result import Learner

_V = t.TypeVar("_V")
_HUNDRED = decimal.Decimal(100)
_CENT = decimal.Decimal("0.01")
_ZERO = decimal.Decimal(0)
_NULL = "Field may not be null."


class VendorSchema(Schema):
    """Base for vendor payload schemas."""

    class Meta:
        unknown = EXCLUDE

    def normalise(self, data: Mapping[str, t.Any]) -> Mapping[str, t.Any]:
        """Return ``data`` with vendor spelling variants resolved (override as needed)."""
        return data

    def make(self, data: dict[str, t.Any]) -> t.Any:
        """Build the loaded object from validated field values (override as needed)."""
        return data

    @pre_load
    def _normalise_hook(self, data: t.Any, **kwargs: t.Any) -> t.Any:
        return self.normalise(data) if isinstance(data, Mapping) else data

    @post_load
    def _make_hook(self, data: dict[str, t.Any], **kwargs: t.Any) -> t.Any:
        return self.make(data)


class _RecordLoader:
    """Loads one record with a :class:`VendorSchema`'s fields, ``normalise`` and ``make``.

    Lean fields (:mod:`mappings.fields`) without validators or processors are called
    through ``_deserialize`` directly when the value is present and not null, which is
    what their ``deserialize`` would do; a null or absent value of a field declared
    with ``load_default=None`` is ``None`` without a call. The first error switches to a second pass
    that collects the errors of every field.
    """

    def __init__(self, schema: type[VendorSchema]) -> None:
        self.schema = schema()
        self.make = self.schema.make
        overridden = type(self.schema).normalise is not VendorSchema.normalise
        self.normalise = self.schema.normalise if overridden else None
        self.fields = tuple(
            (
                field.data_key or name,
                field.attribute or name,
                field._deserialize if is_lean(field) else None,
                _null_means_none(field),
                field,
            )
            for name, field in self.schema.load_fields.items()
        )

    def load(self, item: t.Any) -> t.Any:
        if type(item) is not dict and not isinstance(item, Mapping):
            raise ValidationError({SCHEMA: ["Invalid input type."]})
        if self.normalise is not None:
            item = self.normalise(item)
        loaded: dict[str, t.Any] = {}
        get = item.get
        try:
            for key, name, convert, none_ok, field in self.fields:
                value = get(key)
                if value is None and none_ok:
                    loaded[name] = None
                elif value is not None and convert is not None:
                    loaded[name] = convert(value, key, item)
                else:
                    value = field.deserialize(get(key, missing), key, item)
                    if value is not missing:
                        loaded[name] = value
        except ValidationError:
            self._raise_all(item)
        try:
            return self.make(loaded)
        except ValidationError as error:
            raise ValidationError(keyed_messages(error)) from error

    def _raise_all(self, item: Mapping[str, t.Any]) -> t.NoReturn:
        """Raise one error holding the messages of every invalid field of ``item``."""
        problems: dict[str, t.Any] = {}
        for key, *_, field in self.fields:
            try:
                field.deserialize(item.get(key, missing), key, item)
            except ValidationError as error:
                problems[key] = error.messages
        raise ValidationError(problems)


def _null_means_none(field: fields.Field[t.Any]) -> bool:
    """Whether both a null and an absent value load as ``None`` (``load_default=None``)."""
    return is_lean(field) and field.allow_none and field.load_default is None and not field.required


class Record(LeanField[t.Any]):
    """One nested record loaded with a :class:`VendorSchema` (like ``Nested(schema)``)."""

    def __init__(self, schema: type[VendorSchema], **kwargs: t.Any) -> None:
        super().__init__(**kwargs)
        self.loader = _RecordLoader(schema)

    def _deserialize(self, value: t.Any, attr: str | None, data: t.Any, **kwargs: t.Any) -> t.Any:
        return self.loader.load(value)


class RecordList(LeanField[tuple[t.Any, ...]]):
    """A list of records loaded with a :class:`VendorSchema`, returned as a tuple."""

    default_error_messages = {"invalid": "Not a valid list."}

    def __init__(self, schema: type[VendorSchema], **kwargs: t.Any) -> None:
        super().__init__(**kwargs)
        self.loader = _RecordLoader(schema)

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kwargs: t.Any
    ) -> tuple[t.Any, ...]:
        if type(value) is not list and type(value) is not tuple:
            raise self.make_error("invalid")
        load = self.loader.load
        records = []
        errors: dict[int, t.Any] = {}
        for index, item in enumerate(value):
            if item is None:
                errors[index] = [_NULL]
                continue
            try:
                records.append(load(item))
            except ValidationError as error:
                errors[index] = error.messages
        if errors:
            raise ValidationError(errors)
        return tuple(records)


class RecordMap(LeanField[dict[str, t.Any]]):
    """A JSON object of records (id -> record) loaded with a :class:`VendorSchema`."""

    default_error_messages = {"invalid": "Not a valid mapping type."}

    def __init__(self, schema: type[VendorSchema], **kwargs: t.Any) -> None:
        super().__init__(**kwargs)
        self.loader = _RecordLoader(schema)

    def _deserialize(
        self, value: t.Any, attr: str | None, data: t.Any, **kwargs: t.Any
    ) -> dict[str, t.Any]:
        if not isinstance(value, Mapping):
            raise self.make_error("invalid")
        records = {}
        errors: dict[str, t.Any] = {}
        for key, item in value.items():
            try:
                if item is None:
                    raise ValidationError([_NULL])
                records[key] = self.loader.load(item)
            except ValidationError as error:
                errors[key] = {"value": error.messages}
        if errors:
            raise ValidationError(errors)
        return records


def keyed_messages(error: ValidationError) -> t.Any:
    """Return the messages of ``error`` keyed by its field name (as ``Schema.load`` does)."""
    if error.field_name == SCHEMA and isinstance(error.messages, dict):
        return error.messages
    return {error.field_name: error.messages}


def percent_of(
    score: decimal.Decimal | None,
    max_score: decimal.Decimal | None,
    low: decimal.Decimal = _ZERO,
) -> decimal.Decimal | None:
    """Return ``score`` as a percentage of the range ``low..max_score``, clamped to 0..100.

    A score below ``low`` (negative marking) gives 0; an empty range gives ``None``.
    """
    if score is None or max_score is None or max_score <= low:
        return None
    share = (score - low) / (max_score - low) * _HUNDRED
    return round_percent(min(max(share, _ZERO), _HUNDRED))


def round_percent(value: decimal.Decimal) -> decimal.Decimal:
    """Quantize a percentage to two decimal places (half up), as vendors report it."""
    return value.quantize(_CENT, rounding=decimal.ROUND_HALF_UP)


def check_not_above(
    score: decimal.Decimal | None, max_score: decimal.Decimal | None, field_name: str
) -> None:
    """Reject a score above its maximum, naming ``field_name``."""
    if score is not None and max_score is not None and score > max_score:
        raise ValidationError("Greater than the maximum score.", field_name)


def check_order(start: t.Any, end: t.Any, field_name: str) -> None:
    """Reject an end time earlier than the start time, naming ``field_name``."""
    if start is not None and end is not None and end < start:
        raise ValidationError("Earlier than the start time.", field_name)


_EMAIL_KEYS = frozenset({"email", "emailaddress", "emailid", "mail"})
_FIRST_KEYS = frozenset({"firstname", "givenname"})
_LAST_KEYS = frozenset({"lastname", "surname", "familyname"})
_NAME_KEYS = frozenset({"name", "fullname", "candidatename"})
_ID_KEYS = frozenset({"externalid", "employeeid", "candidateid", "userid"})


def learner_from_fields(pairs: Iterable[tuple[str, t.Any]], field_name: str) -> Learner:
    """Build a :class:`Learner` from registration fields (label -> value).

    Labels are matched loosely (``"Email Address"``, ``"E-mail"``, ``"First Name"``);
    values that are not strings are ignored.

    :raises ValidationError: when the e-mail field holds no e-mail address.
    """
    found: dict[str, str] = {}
    for label, value in pairs:
        if isinstance(label, str) and isinstance(value, str) and value.strip():
            found.setdefault(token(label), value.strip())
    email = next((found[key] for key in _EMAIL_KEYS if key in found), None)
    if email is not None and ("@" not in email or any(ch.isspace() for ch in email)):
        raise ValidationError("The e-mail field does not hold an e-mail address.", field_name)
    first = next((found[key] for key in _FIRST_KEYS if key in found), None)
    last = next((found[key] for key in _LAST_KEYS if key in found), None)
    name = " ".join(part for part in (first, last) if part) or next(
        (found[key] for key in _NAME_KEYS if key in found), None
    )
    external_id = next((found[key] for key in _ID_KEYS if key in found), None)
    return Learner(email=email, name=name, external_id=external_id)


def pick(choices: Mapping[str, _V], value: str, field_name: str) -> _V:
    """Look up a vendor enumeration spelling (see :func:`mappings.fields.token`).

    :raises ValidationError: naming ``field_name`` and the accepted spellings.
    """
    try:
        return choices[token(value)]
    except KeyError:
        accepted = ", ".join(sorted(choices))
        raise ValidationError(
            f"Unknown value {value!r}; expected one of: {accepted}.", field_name
        ) from None


def aliased(data: Mapping[str, t.Any], aliases: Mapping[str, str]) -> Mapping[str, t.Any]:
    """Return ``data`` with each alias key copied to its canonical key when that is absent."""
    extra = {
        key: data[alias] for alias, key in aliases.items() if alias in data and key not in data
    }
    return {**data, **extra} if extra else data


def only_item(raw: Mapping[str, t.Any], key: str) -> t.Any:
    """Return the single entry of the list ``raw[key]`` (a page holding one record).

    :raises ValidationError: when the list does not hold exactly one entry.
    """
    items = raw.get(key)
    if not isinstance(items, list) or len(items) != 1:
        raise ValidationError({key: ["Expected a list holding exactly one entry."]})
    return items[0]
