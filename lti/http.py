"""A pooled ``requests.Session`` that never sends a request without a timeout."""

from __future__ import annotations

import typing as t

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

USER_AGENT = "assessment-bridge/0.1 (+https://github.com/assessment-bridge)"


#: Origins whose environment settings a session remembers.
ENVIRONMENT_ORIGINS = 256


class TimeoutSession(requests.Session):
    """Session with default connect/read timeouts and retries for idempotent reads.

    POSTs are never retried here: a retried POST may have had side effects
    (grade deliveries are retried by the outbox instead).  With ``resend_reads``
    off, only requests that never reached the server are retried: for APIs whose
    signatures carry a one-time nonce, a resent request would be refused.
    """

    def __init__(
        self,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 20.0,
        retries: int = 2,
        resend_reads: bool = True,
        pool_size: int = 10,
    ) -> None:
        super().__init__()
        self._environment: dict[tuple[t.Any, ...], t.Any] = {}
        self.default_timeout = (connect_timeout, read_timeout)
        self.headers["User-Agent"] = USER_AGENT
        retry = Retry(
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
        )
        adapter = HTTPAdapter(max_retries=retry, pool_connections=pool_size, pool_maxsize=pool_size)
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
