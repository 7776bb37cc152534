"""A pooled ``requests.Session`` that never sends a request without a timeout, and never
reads more of an answer than it allows."""

from __future__ import annotations

import time
import typing as t

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError
from urllib3.exceptions import ResponseError
from urllib3.util.retry import Retry

if t.TYPE_CHECKING:
    from typing import Self

    from urllib3.connectionpool import ConnectionPool
    from urllib3.response import BaseHTTPResponse

USER_AGENT = "assessment-bridge/0.1 (+https://github.com/assessment-bridge)"

#: The largest answer read from a platform (key set, token, AGS), in bytes.
MAX_RESPONSE_BYTES = 1024 * 1024
#: Bytes read at a time: how far past its bound an answer gets before it is refused.
READ_CHUNK_BYTES = 64 * 1024

#: Origins whose environment settings a session remembers.
ENVIRONMENT_ORIGINS = 256


class ResponseTooLargeError(requests.RequestException):
    """An answer longer than the reader's bound; its connection was closed.

    A :class:`requests.RequestException`, as requests' own errors while reading a body
    are, so every caller that handles a failed request handles this one; callers that
    tell an unusable answer from an unreachable server catch it first.

    :ivar limit: the bound, in bytes.
    """

    def __init__(self, limit: int, *, response: requests.Response) -> None:
        where = response.url.split("?", 1)[0]
        super().__init__(
            f"{where} answered more than {byte_size(limit)}; refused", response=response
        )
        self.limit = limit

    @property
    def status(self) -> int | None:
        """The HTTP status of the refused answer."""
        return None if self.response is None else self.response.status_code


def byte_size(count: int) -> str:
    """``count`` bytes for people: ``8 MiB``, ``256 KiB`` or ``1000 bytes``."""
    for unit, size in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count} bytes"


def read_capped(response: requests.Response, limit: int, *, deadline: float | None = None) -> bytes:
    """The body of a streamed ``response``, of at most ``limit`` bytes.

    A declared ``Content-Length`` over the limit is refused before anything is read;
    otherwise bytes are counted as they arrive (decoded, so a compressed answer counts
    as what it takes in memory).  On any failure the connection is closed rather than
    given back to the pool with unread data.

    :param deadline: a :func:`time.monotonic` time by which the body must be read; the
        session's read timeout bounds each read, not the whole answer.
    :raises ResponseTooLargeError: the answer is longer than ``limit``.
    :raises requests.ReadTimeout: ``deadline`` passed.
    :raises requests.RequestException: the body could not be read.
    """
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        response.close()
        raise ResponseTooLargeError(limit, response=response)
    body = bytearray()
    try:
        for chunk in response.iter_content(chunk_size=READ_CHUNK_BYTES):
            body += chunk
            if len(body) > limit:
                raise ResponseTooLargeError(limit, response=response)
            if deadline is not None and time.monotonic() > deadline:
                raise requests.ReadTimeout("the answer took too long to read", response=response)
    except Exception:
        response.close()
        raise
    return bytes(body)


class BoundedRetry(Retry):
    """urllib3's retries, except that an answer is retried for its status only when its
    declared body fits in ``max_body`` bytes.

    urllib3 reads the body of an answer it retries to the end (to reuse the connection)
    before sending again; any other answer goes back to the caller unread, to be read
    within bounds.
    """

    def __init__(self, *args: t.Any, max_body: int = MAX_RESPONSE_BYTES, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_body = max_body

    def new(self, **kw: t.Any) -> Self:
        retry = super().new(**kw)
        retry.max_body = self.max_body
        return retry

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: t.Any = None,
    ) -> Self:
        if error is None and response is not None:
            declared = str(response.headers.get("Content-Length", "")).strip()
            if not declared.isdigit() or int(declared) > self.max_body:
                reason = ResponseError(f"HTTP {response.status} with a body too long to drain")
                raise MaxRetryError(_pool, url, reason)  # type: ignore[arg-type]
        return super().increment(method, url, response, error, _pool, _stacktrace)


class CappedAdapter(HTTPAdapter):
    """Reads each answer's body, within ``max_response_bytes``, as soon as it arrives.

    Reading here, below the session, bounds every way a body is read: ``.json()``,
    ``.text`` and ``.content`` in every caller, error handlers included, and requests'
    own read of a redirect's body before it follows the redirect.  A caller that asks
    for ``stream=True`` reads the body itself, with :func:`read_capped`.
    """

    def __init__(self, *, max_response_bytes: int, **kwargs: t.Any) -> None:
        self.max_response_bytes = max_response_bytes
        super().__init__(**kwargs)

    def send(
        self, request: requests.PreparedRequest, stream: bool = False, *args: t.Any, **kwargs: t.Any
    ) -> requests.Response:
        response = super().send(request, True, *args, **kwargs)
        if not stream and request.method != "HEAD":
            # What requests itself does when it reads a body that is not streamed.
            response._content = read_capped(response, self.max_response_bytes)
            response._content_consumed = True  # type: ignore[attr-defined]
        return response


class TimeoutSession(requests.Session):
    """Session with default connect/read timeouts, retries for idempotent reads, and a
    bound on the answers it reads.

    POSTs are never retried here: a retried POST may have had side effects
    (grade deliveries are retried by the outbox instead).  With ``resend_reads``
    off, only requests that never reached the server are retried: for APIs whose
    signatures carry a one-time nonce, a resent request would be refused.

    :param max_response_bytes: the longest answer read (:class:`CappedAdapter`); a
        longer one raises :class:`ResponseTooLargeError`.
    """

    def __init__(
        self,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 20.0,
        retries: int = 2,
        resend_reads: bool = True,
        pool_size: int = 10,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        super().__init__()
        self._environment: dict[tuple[t.Any, ...], t.Any] = {}
        self.default_timeout = (connect_timeout, read_timeout)
        self.headers["User-Agent"] = USER_AGENT
        retry = BoundedRetry(
            total=retries,
            connect=retries,
            read=retries if resend_reads else 0,
            status=retries if resend_reads else 0,
            other=retries if resend_reads else 0,
            backoff_factor=0.2,
            backoff_max=5,
            status_forcelist=(502, 503, 504),
            allowed_methods=frozenset({"GET", "HEAD", "OPTIONS"}),
            respect_retry_after_header=True,
            raise_on_status=False,
            max_body=max_response_bytes,
        )
        adapter = CappedAdapter(
            max_response_bytes=max_response_bytes,
            max_retries=retry,
            pool_connections=pool_size,
            pool_maxsize=pool_size,
        )
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def request(
        self, method: str | bytes, url: str | bytes, *args: t.Any, **kwargs: t.Any
    ) -> requests.Response:
        kwargs.setdefault("timeout", self.default_timeout)
        return super().request(method, url, *args, **kwargs)

    def merge_environment_settings(
        self, url: str | bytes | None, proxies: t.Any, stream: t.Any, verify: t.Any, cert: t.Any
    ) -> t.Any:
        """The environment's proxy and CA settings, read once per origin.

        requests reads the environment on every request (about half a millisecond);
        the environment does not change while the process runs.
        """
        if proxies or not self.trust_env or not isinstance(url, str):
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        origin = "/".join(url.split("/", 3)[:3])
        key = (origin, stream, verify, cert)
        cached: t.Any = self._environment.get(key)
        if cached is None:
            cached = super().merge_environment_settings(url, proxies, stream, verify, cert)
            if len(self._environment) < ENVIRONMENT_ORIGINS:
                self._environment[key] = cached
        return dict(cached)


def error_description(response: requests.Response) -> str:
    """A short reason from an OAuth-style error answer (``error_description``/``error``)."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("error_description") or body.get("error") or body)[:200]
    return str(body)[:200]
