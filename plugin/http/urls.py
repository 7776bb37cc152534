"""Checks of the URLs an admin types into a connection's settings.

One place for what "an http(s) URL" means to every vendor and ATS config, so the
rules cannot drift apart; each config keeps its own message naming its setting.
"""

from __future__ import annotations

import urllib.parse


def is_http_url(value: str, *, allow_query: bool = False, allow_fragment: bool = False) -> bool:
    """Whether ``value`` is an absolute http(s) URL with a host.

    :param allow_query: accept a query string (by default a URL with one is refused).
    :param allow_fragment: accept a fragment (by default a URL with one is refused).
    """
    parts = urllib.parse.urlsplit(value)
    return (
        parts.scheme in {"http", "https"}
        and bool(parts.netloc)
        and (allow_query or not parts.query)
        and (allow_fragment or not parts.fragment)
    )


def checked_base_url(value: str) -> str:
    """Return ``value`` without a trailing slash.

    :raises ValueError: (naming ``base_url``) unless an absolute http(s) URL without
        query or fragment.
    """
    if not is_http_url(value):
        raise ValueError(f"base_url must be an absolute http(s) URL, got {value!r}")
    return value.rstrip("/")
