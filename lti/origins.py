"""Origins (``scheme://host[:port]``) and the rule that keeps a platform on its own site.

A platform's endpoints (login, token, key set, registration) must share its issuer's
origin, unless an admin allowed another origin for it: a registration cannot otherwise
send learners' browsers, or the tool's requests, to a site of its choosing.
"""

from __future__ import annotations

import re
import typing as t
from urllib.parse import urlsplit

_ORIGIN = re.compile(r"https?://(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?")
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}


def url_origin(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL (a default port dropped), or None when it
    is not one whose origin is safe to write into a header (no user info, no odd characters
    in the host)."""
    parts = urlsplit(url.strip())
    scheme, netloc = parts.scheme.lower(), parts.netloc.lower()
    default_port = _DEFAULT_PORTS.get(scheme)
    if default_port and netloc.endswith(default_port):
        netloc = netloc.removesuffix(default_port)
    origin = f"{scheme}://{netloc}"
    return origin if _ORIGIN.fullmatch(origin) else None


def parse_origin(text: str) -> str | None:
    """The origin ``text`` names (``https://sso.example.com``, a trailing slash allowed), or
    None when it is not a bare http(s) origin (a path, query or user info is not one)."""
    origin = url_origin(text)
    bare = text.strip().lower().removesuffix("/")
    if origin is None or urlsplit(bare).path or "?" in bare or "#" in bare:
        return None
    return origin


def on_site(url: str, issuer: str, allowed_origins: t.Iterable[str] = ()) -> bool:
    """Whether ``url`` is on the issuer's origin or on one of ``allowed_origins``."""
    origin = url_origin(url)
    return origin is not None and (origin == url_origin(issuer) or origin in allowed_origins)


def off_site(
    urls: t.Mapping[str, str], issuer: str, allowed_origins: t.Iterable[str] = ()
) -> list[str]:
    """The names of ``urls`` (name to URL) that are not :func:`on_site`."""
    allowed = tuple(allowed_origins)
    return [name for name, url in urls.items() if not on_site(url, issuer, allowed)]
