"""Small readers for JSON request bodies that answer 400 on anything malformed."""

from __future__ import annotations

import typing as t

from flask import request

from plugin.sandbox.lms.errors import ApiError

JsonDict = dict[str, t.Any]


def json_body() -> JsonDict:
    """Return the request's JSON object (an empty body counts as ``{}``).

    :raises ApiError: 400 when the body is not a JSON object.
    """
    if not request.get_data():
        return {}
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_request", "the body must be a JSON object")
    return body


def req_str(body: JsonDict, key: str) -> str:
    """Return the non-empty string ``body[key]``.

    :raises ApiError: 400 when missing or not a non-empty string.
    """
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise ApiError(400, "invalid_request", f"{key} must be a non-empty string")
    return value


def opt_str(body: JsonDict, key: str) -> str | None:
    """Return ``body[key]`` if present (a non-empty string) else ``None``."""
    return None if body.get(key) is None else req_str(body, key)


def str_list(body: JsonDict, key: str, *, required: bool = False) -> list[str]:
    """Return ``body[key]`` as a list of strings (``[]`` when absent and not required).

    :raises ApiError: 400 when malformed, or empty/missing while required.
    """
    value = body.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ApiError(400, "invalid_request", f"{key} must be a list of non-empty strings")
    if required and not value:
        raise ApiError(400, "invalid_request", f"{key} must not be empty")
    return list(value)


def str_dict(body: JsonDict, key: str) -> dict[str, str]:
    """Return ``body[key]`` as a string-to-string mapping (``{}`` when absent).

    :raises ApiError: 400 when not an object of strings.
    """
    value = body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ApiError(400, "invalid_request", f"{key} must be an object of strings")
    return dict(value)


def obj(body: JsonDict, key: str) -> JsonDict | None:
    """Return the JSON object ``body[key]`` or ``None`` when absent.

    :raises ApiError: 400 when present but not an object.
    """
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ApiError(400, "invalid_request", f"{key} must be an object")
    return value
