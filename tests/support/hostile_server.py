"""A server on 127.0.0.1 that answers what each test chooses, however large, and counts
the bytes of each answer it managed to hand to the socket before the client hung up.

A large answer is made up as it is sent (one chunk repeated), so the server itself
stays small; what the tool read is bounded by what was sent, which the tests assert.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import threading
import typing as t

from flask import Flask
from flask import Response
from flask import request

from plugin.sandbox.server import ServedApp
from plugin.sandbox.server import serve_app

MIB = 1024 * 1024
_CHUNK = 64 * 1024
_WAIT_S = 10.0


@dataclasses.dataclass(frozen=True)
class Answer:
    """One answer: ``body`` as is, or ``body`` followed by padding up to ``size`` bytes.

    :ivar declared: send ``Content-Length``; otherwise the body is chunked.
    """

    body: bytes = b""
    size: int = 0
    status: int = 200
    declared: bool = True
    headers: t.Mapping[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def json(cls, value: t.Any, **options: t.Any) -> Answer:
        return cls(json.dumps(value).encode(), **options)

    @classmethod
    def huge_json(cls, size: int, **options: t.Any) -> Answer:
        """A valid JSON object of ``size`` bytes: ``{"keys": [], "padding": "xxx..."}``."""
        return cls(b'{"keys": [], "padding": "', size=size, **options)

    @property
    def length(self) -> int:
        return max(len(self.body), self.size)

    def chunks(self) -> t.Iterator[bytes]:
        yield self.body
        if self.size <= len(self.body):
            return
        padding = self.size - len(self.body) - 2
        filler = b"x" * _CHUNK
        while padding > 0:
            yield filler[: min(padding, _CHUNK)]
            padding -= _CHUNK
        yield b'"}'


@dataclasses.dataclass
class _Sending:
    key: str
    count: int = 0
    done: threading.Event = dataclasses.field(default_factory=threading.Event)


class HostileServer:
    """Answers ``"METHOD /path"`` with the :class:`Answer` set in :attr:`answers`, else
    :attr:`default` (404 when None), and records, per request, the bytes it sent.

    :ivar answers: ``"GET /jwks"`` to its answer.
    :ivar default: the answer to every other request.
    :ivar hits: every ``"METHOD /path"`` requested, in order.
    """

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.default: Answer | None = None
        self.hits: list[str] = []
        self._sendings: list[_Sending] = []
        self._lock = threading.Lock()
        app = Flask("hostile_server")
        methods = ["GET", "POST", "PATCH", "PUT", "DELETE"]
        app.add_url_rule("/", "root", self._dispatch, defaults={"path": ""}, methods=methods)
        app.add_url_rule("/<path:path>", "any", self._dispatch, methods=methods)
        self._served: ServedApp = serve_app(app)

    @property
    def url(self) -> str:
        return self._served.url

    def sent(self, key: str | None = None) -> list[int]:
        """Bytes sent for each answer (to ``key``, or to every request) once the answers
        are over: the client read them to the end or hung up."""
        with self._lock:
            sendings = [item for item in self._sendings if key in (None, item.key)]
        for item in sendings:
            assert item.done.wait(_WAIT_S), f"the answer to {item.key} never ended"
        with self._lock:
            return [item.count for item in sendings]

    def shutdown(self) -> None:
        self._served.shutdown()

    def _dispatch(self, path: str) -> Response:
        key = f"{request.method} /{path}"
        request.get_data()
        with self._lock:
            self.hits.append(key)
            answer = self.answers.get(key, self.default)
            if answer is None:
                return Response(f"nothing at /{path}", 404)
            sending = _Sending(key)
            self._sendings.append(sending)

        def body() -> t.Iterator[bytes]:
            try:
                for chunk in answer.chunks():
                    with self._lock:
                        sending.count += len(chunk)
                    yield chunk
            finally:
                sending.done.set()

        headers = dict(answer.headers)
        headers.setdefault("Content-Type", "application/json")
        if answer.declared:
            headers["Content-Length"] = str(answer.length)
        return Response(body(), answer.status, headers, direct_passthrough=True)


@contextlib.contextmanager
def hostile_server() -> t.Iterator[HostileServer]:
    server = HostileServer()
    try:
        yield server
    finally:
        server.shutdown()
