"""Every answer a platform gives is read within a bound: a longer one is refused before it
is downloaded (the connection is closed), whether it declares its length or not, and each
caller turns the refusal into its own kind of "unusable answer"."""

from __future__ import annotations

import time
import tracemalloc
import typing as t

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from lti.ags import AgsClientFactory
from lti.ags import AgsError
from lti.ags import LineItemSpec
from lti.ags import PlatformSessions
from lti.errors import LtiLaunchError
from lti.http import MAX_RESPONSE_BYTES
from lti.http import ResponseTooLargeError
from lti.http import TimeoutSession
from lti.http import read_capped
from lti.interfaces import PlatformRecord
from lti.interfaces import SigningKey
from lti.jwks import PlatformKeySets
from lti.service_token import TokenRequestError
from lti.service_token import request_access_token
from plugin.runtime.shared_store import MemoryStore
from tests.support.hostile_server import MIB
from tests.support.hostile_server import Answer
from tests.support.hostile_server import HostileServer
from tests.support.hostile_server import hostile_server

HUGE = 64 * MIB
#: What may have been sent before the client hung up: the bound, and what the loopback
#: socket buffers took in meanwhile (a few MiB); far from the 64 MiB offered.
SENT_AT_MOST = 16 * MIB


@pytest.fixture
def server() -> t.Iterator[HostileServer]:
    with hostile_server() as served:
        yield served


@pytest.fixture
def session() -> t.Iterator[TimeoutSession]:
    with TimeoutSession(retries=2, read_timeout=5) as made:
        yield made


class EndlessBody:
    """A response's ``raw`` that never ends, as a hostile server's body may not."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, amount: int, **_: t.Any) -> bytes:
        self.read_bytes += amount
        return b"x" * amount

    def close(self) -> None:
        return None


def test_an_endless_answer_is_refused_after_the_bound_in_bounded_memory() -> None:
    response = requests.Response()
    response.raw = body = EndlessBody()
    response.url = "https://lms.example/jwks?secret=1"
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLargeError, match=r"^https://lms.example/jwks answered"):
            read_capped(response, MIB)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert body.read_bytes <= MIB + 64 * 1024
    assert peak < 3 * MIB


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_an_oversized_answer_is_refused_without_being_downloaded(
    server: HostileServer, session: TimeoutSession, declared: bool
) -> None:
    server.answers["GET /jwks"] = Answer.huge_json(HUGE, declared=declared)
    with pytest.raises(ResponseTooLargeError, match="answered more than 1 MiB; refused") as caught:
        session.get(server.url + "/jwks")
    assert caught.value.limit == MAX_RESPONSE_BYTES and caught.value.status == 200
    (sent,) = server.sent("GET /jwks")
    assert sent < SENT_AT_MOST


def test_the_body_of_a_redirect_is_bounded_too(
    server: HostileServer, session: TimeoutSession
) -> None:
    """requests reads a redirect's body itself before following it."""
    server.answers["GET /jwks"] = Answer.huge_json(
        HUGE, status=302, declared=False, headers={"Location": "/keys"}
    )
    server.answers["GET /keys"] = Answer.json({"keys": []})
    with pytest.raises(ResponseTooLargeError):
        session.get(server.url + "/jwks")
    assert server.sent("GET /jwks")[0] < SENT_AT_MOST
    assert "GET /keys" not in server.hits


def test_a_failure_too_long_to_drain_is_handed_back_not_retried(
    server: HostileServer, session: TimeoutSession
) -> None:
    """Before a retry urllib3 reads the failed answer to its end; this one is refused."""
    server.answers["GET /jwks"] = Answer.huge_json(HUGE, status=503, declared=False)
    with pytest.raises(ResponseTooLargeError) as caught:
        session.get(server.url + "/jwks")
    assert caught.value.status == 503
    assert server.hits == ["GET /jwks"]
    assert server.sent("GET /jwks")[0] < SENT_AT_MOST


def test_short_answers_read_as_before_and_short_failures_are_still_retried(
    server: HostileServer, session: TimeoutSession
) -> None:
    server.answers["GET /jwks"] = Answer.json({"keys": []})
    server.answers["GET /busy"] = Answer.json({"error": "busy"}, status=503)
    assert session.get(server.url + "/jwks").json() == {"keys": []}
    assert session.get(server.url + "/busy").status_code == 503
    assert server.hits.count("GET /busy") == 3


def test_a_caller_that_streams_reads_the_body_itself_within_its_own_bound(
    server: HostileServer, session: TimeoutSession
) -> None:
    server.answers["GET /config"] = Answer.huge_json(300 * 1024, declared=False)
    response = session.get(server.url + "/config", stream=True)
    with pytest.raises(ResponseTooLargeError, match="more than 256 KiB"):
        read_capped(response, 256 * 1024, deadline=time.monotonic() + 30)


class DictCache:
    def __init__(self) -> None:
        self.values: dict[str, t.Any] = {}

    def get(self, key: str) -> t.Any:
        return self.values.get(key)

    def set(self, key: str, value: t.Any, timeout: int | None = None) -> bool:
        self.values[key] = value
        return True

    def delete(self, key: str) -> bool:
        return self.values.pop(key, None) is not None


def test_an_oversized_key_set_refuses_the_launch_as_an_invalid_key_set(
    server: HostileServer, session: TimeoutSession
) -> None:
    server.answers["GET /jwks"] = Answer.huge_json(HUGE, declared=False)
    key_sets = PlatformKeySets(DictCache(), session, ttl_seconds=60)
    with pytest.raises(LtiLaunchError) as caught:
        key_sets.public_key(server.url + "/jwks", "k1")
    assert (caught.value.code, caught.value.status) == ("jwks_invalid", 502)
    assert "larger than 1 MiB" in caught.value.message


class ToolKeys:
    def __init__(self) -> None:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        self.key = SigningKey(kid="tool-1", private_key=private, private_pem=pem)

    def signing_key(self) -> SigningKey:
        return self.key

    def public_jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": []}


def platform_at(server: HostileServer) -> PlatformRecord:
    return PlatformRecord(
        id=1,
        issuer=server.url,
        client_id="client-1",
        auth_login_url=server.url + "/auth",
        auth_token_url=server.url + "/token",
        key_set_url=server.url + "/jwks",
    )


def test_an_oversized_token_answer_is_a_retryable_token_failure(
    server: HostileServer, session: TimeoutSession
) -> None:
    server.answers["POST /token"] = Answer.huge_json(HUGE, declared=False)
    with pytest.raises(TokenRequestError, match="answered more than 1 MiB; refused") as caught:
        request_access_token(
            platform_at(server), ToolKeys().signing_key(), ["scope"], session=session
        )
    assert caught.value.retryable and caught.value.status == 200
    assert server.sent("POST /token")[0] < SENT_AT_MOST


def spec() -> LineItemSpec:
    return LineItemSpec(label="Final", score_maximum=10, resource_link_id="link-1")


def ags_factory() -> AgsClientFactory:
    sessions = PlatformSessions(lambda: TimeoutSession(retries=0, read_timeout=5))
    return AgsClientFactory(ToolKeys(), MemoryStore(), sessions=sessions)


def test_an_oversized_ags_answer_is_a_retryable_ags_error(server: HostileServer) -> None:
    server.answers["POST /token"] = Answer.json({"access_token": "t", "expires_in": 3600})
    server.answers["GET /lineitems"] = Answer.huge_json(HUGE)
    factory = ags_factory()
    client = factory.for_platform(platform_at(server))
    with pytest.raises(AgsError, match="answered more than 1 MiB; refused") as caught:
        client.find_line_item(server.url + "/lineitems", spec())
    factory.close()
    assert caught.value.retryable and caught.value.status == 200
    assert server.sent("GET /lineitems")[0] < SENT_AT_MOST


def test_an_oversized_token_answer_fails_the_ags_call_retryably(server: HostileServer) -> None:
    server.answers["POST /token"] = Answer.huge_json(HUGE, declared=False)
    factory = ags_factory()
    client = factory.for_platform(platform_at(server))
    with pytest.raises(AgsError, match=r"access token failed.*more than 1 MiB") as caught:
        client.find_line_item(server.url + "/lineitems", spec())
    factory.close()
    assert caught.value.retryable
    assert "GET /lineitems" not in server.hits
