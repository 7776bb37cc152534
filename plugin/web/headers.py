"""Security headers on every response, and the Content-Security-Policy of our pages.

Our pages are framed by the registered platforms and post forms back to them (deep
linking), so both ``frame-ancestors`` and ``form-action`` name the platforms' origins.
Inline scripts and styles run only with the per-response nonce that templates read as
``csp_nonce``.  The ExamSpark player page alone may load the vendor's SDK: the bundle's
exact URL (script) and origin (frames) are noted when ``player.html`` is rendered.
"""

from __future__ import annotations

import logging
import secrets
import typing as t
import urllib.parse

from flask import Flask
from flask import Response
from flask import g
from flask import request
from flask import template_rendered
from sqlalchemy.exc import SQLAlchemyError

from lti.origins import url_origin
from plugin.services import services

if t.TYPE_CHECKING:
    from jinja2 import Template

log = logging.getLogger(__name__)

HSTS = "max-age=31536000"
PLAYER_TEMPLATE = "player.html"


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"csp_nonce": csp_nonce()})
    template_rendered.connect(_note_player_origins, app)
    app.after_request(add_security_headers)


def csp_nonce() -> str:
    """This response's nonce, made on first use."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    nonce: str = g.csp_nonce
    return nonce


def add_security_headers(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = HSTS
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = content_security_policy()
    return response


def content_security_policy() -> str:
    platforms = " ".join(_platform_origins())
    vendor = " ".join(g.get("csp_vendor_origins", ()))
    script = g.get("csp_vendor_script", "")
    own = "'self'"
    nonce = f"'nonce-{g.csp_nonce}'" if "csp_nonce" in g else ""
    directives = {
        "default-src": own,
        "script-src": f"{own} {nonce} {script}",
        "style-src": f"{own} {nonce}",
        "frame-src": f"{own} {vendor}",
        "frame-ancestors": f"{own} {platforms}",
        "form-action": f"{own} {platforms}",
        "base-uri": "'none'",
        "object-src": "'none'",
    }
    return "; ".join(" ".join(f"{name} {value}".split()) for name, value in directives.items())


def _platform_origins() -> tuple[str, ...]:
    """The platforms' origins; none while the store is unreachable, so that an error page
    is still served (with a stricter policy) rather than replaced by a crash."""
    try:
        return services().platforms.frame_origins()
    except SQLAlchemyError:
        log.warning("platform origins unavailable; framing limited to 'self'", exc_info=True)
        return ()


def _note_player_origins(
    sender: Flask, template: Template, context: dict[str, t.Any], **extra: t.Any
) -> None:
    """The player page loads the SDK bundle named by the vendor connection (that one URL:
    a path source matches no other file of the origin), and the SDK frames the player
    from the same origin; no other page may."""
    if template.name != PLAYER_TEMPLATE:
        return
    embed = context.get("embed") or {}
    script_url = str(embed.get("script_url", ""))
    origin = url_origin(script_url)
    if origin:
        g.csp_vendor_origins = (origin,)
        g.csp_vendor_script = origin + _csp_path(script_url)


def _csp_path(url: str) -> str:
    """The URL's path as a CSP source path: characters a policy gives meaning to
    (``;`` ``,`` whitespace, quotes) percent-encoded, as the browser compares them
    decoded."""
    path = urllib.parse.urlsplit(url).path or "/"
    return urllib.parse.quote(urllib.parse.unquote(path), safe="/@:!$&()*+=-._~")
