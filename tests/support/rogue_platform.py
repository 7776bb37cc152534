"""A hostile "platform" for the dynamic registration tests: a tiny Flask app served on
127.0.0.1 whose openid configuration and answers each test chooses, and which records
every request it gets (so a test can prove the tool never called it)."""

from __future__ import annotations

import contextlib
import socket
import typing as t

from flask import Flask
from flask import jsonify
from flask import request

from plugin.sandbox.server import ServedApp
from plugin.sandbox.server import serve_app

if t.TYPE_CHECKING:
    from flask.typing import ResponseReturnValue

CONFIGURATION_PATH = "/.well-known/openid-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"


class RoguePlatform:
    """Serves a well-formed configuration and registration answer unless told otherwise.

    :ivar answers: ``"METHOD /path"`` to a view, replacing the default answer.
    :ivar overrides: fields that replace those of the served configuration.
    :ivar hits: every ``"METHOD /path"`` requested, in order.
    """

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.answers: dict[str, t.Callable[[], ResponseReturnValue]] = {}
        self.overrides: dict[str, t.Any] = {}
        self.client_id = "rogue-client"
        app = Flask("rogue_platform")
        app.add_url_rule("/<path:path>", "any", self._dispatch, methods=["GET", "POST"])
        self._served: ServedApp = serve_app(app)

    @property
    def url(self) -> str:
        return self._served.url

    @property
    def configuration_url(self) -> str:
        return self.url + CONFIGURATION_PATH

    def configuration(self) -> dict[str, t.Any]:
        base = self.url
        return {
            "issuer": base,
            "authorization_endpoint": base + "/auth",
            "token_endpoint": base + "/token",
            "jwks_uri": base + "/jwks",
            "registration_endpoint": base + "/register",
            "id_token_signing_alg_values_supported": ["RS256"],
            **self.overrides,
        }

    def shutdown(self) -> None:
        self._served.shutdown()

    def _dispatch(self, path: str) -> ResponseReturnValue:
        key = f"{request.method} /{path}"
        self.hits.append(key)
        if key in self.answers:
            return self.answers[key]()
        if key == f"GET {CONFIGURATION_PATH}":
            return jsonify(self.configuration())
        if key == "POST /register":
            answer = {"client_id": self.client_id, TOOL_CONFIGURATION: {"deployment_id": "d-1"}}
            return jsonify(answer), 201
        return f"nothing at /{path}", 404


@contextlib.contextmanager
def rogue_platform() -> t.Iterator[RoguePlatform]:
    platform = RoguePlatform()
    try:
        yield platform
    finally:
        platform.shutdown()


def nothing_listens_url(path: str = CONFIGURATION_PATH) -> str:
    """A URL on 127.0.0.1 where nothing listens (the port was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"
