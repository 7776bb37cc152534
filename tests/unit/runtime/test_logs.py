from __future__ import annotations

import datetime as dt
import logging

import pytest

from plugin.runtime.logs import SecretMaskingFilter
from plugin.runtime.logs import mask_secrets
from plugin.runtime.server import MaskingLogger


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("POST /callbacks/mettl/3?token=s3cr3tT0ken HTTP/1.1", "s3cr3tT0ken"),
        ("GET /return/AbCdEfGhIjKlMnOp HTTP/1.1", "AbCdEfGhIjKlMnOp"),
        ("POST /callbacks/imocha/12/ZZZZyyyyXXXXwwww", "ZZZZyyyyXXXXwwww"),
        ("Authorization: Bearer eyJhbGciOi.payload.sig", "eyJhbGciOi.payload.sig"),
        ("https://api.mettl.com/v2/x?ak=pub&asgn=SIGNATURE%3D&ts=1", "SIGNATURE%3D"),
        ("api_key=abcdef123456&x=1", "abcdef123456"),
    ],
)
def test_secrets_are_masked(text: str, hidden: str) -> None:
    masked = mask_secrets(text)
    assert hidden not in masked and "***" in masked


def test_plain_text_is_left_alone() -> None:
    assert mask_secrets("GET /lti/jwks HTTP/1.1") == "GET /lti/jwks HTTP/1.1"


def test_log_filter_masks_formatted_messages(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.masking")
    logger.addFilter(SecretMaskingFilter())
    with caplog.at_level(logging.INFO):
        logger.info("calling %s", "/callbacks/mettl/1?token=abcdefghijkl")
    assert "abcdefghijkl" not in caplog.text and "token=***" in caplog.text


def test_gunicorn_access_log_atoms_are_masked() -> None:
    class Response:
        status = "200 OK"
        sent = 10
        headers: list[tuple[str, str]] = []

    class Request:
        headers: list[tuple[str, str]] = []

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/return/AbCdEfGhIjKlMnOp?token=zzzzzzzzzz",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": "/return/AbCdEfGhIjKlMnOp",
        "QUERY_STRING": "token=zzzzzzzzzz",
    }
    from gunicorn.config import Config

    atoms = MaskingLogger(Config()).atoms(
        Response(), Request(), environ, dt.timedelta(milliseconds=3)
    )
    for key in ("r", "U", "q"):
        assert "AbCdEfGhIjKlMnOp" not in atoms[key] and "zzzzzzzzzz" not in atoms[key]


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("POST /callbacks/mettl/3?%74oken=secretvalue HTTP/1.1", "secretvalue"),
        ("GET /x?a=1&%54OKEN=secretvalue", "secretvalue"),
        ("GET /return/%51s8abcdefghij HTTP/1.1", "s8abcdefghij"),
        ("POST /callbacks/imocha/12/%5AZZZyyyyXXXXwwww", "ZZZyyyyXXXXwwww"),
        ("GET /x?token=abc%26defghij", "defghij"),
        # A callback URL inside Mettl's Edit Schedule ``sc`` JSON, as urllib3 logs a retry.
        (
            "/v2/schedules/k/edit?sc=%7B%22u%22%3A%22h%3Ftoken%3Ds3cretvalue%26accessKey%3Dk",
            "s3cretvalue",
        ),
    ],
)
def test_percent_encoded_secrets_are_masked(text: str, hidden: str) -> None:
    masked = mask_secrets(text)
    assert hidden not in masked and "***" in masked


def test_the_logged_text_is_the_decoded_one() -> None:
    assert mask_secrets("GET /x?%74oken=abc&n%61me=Ann") == "GET /x?token=***&name=Ann"


def test_decoding_happens_once_and_keeps_delimiters_and_controls_encoded() -> None:
    assert mask_secrets("GET /x?%2574oken=abc") == "GET /x?%2574oken=abc"
    assert mask_secrets("GET /x?a=%0Afake%20line%3D") == "GET /x?a=%0Afake%20line%3D"


def test_the_log_filter_masks_encoded_names(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.masking.encoded")
    logger.addFilter(SecretMaskingFilter())
    with caplog.at_level(logging.INFO):
        logger.info("calling %s", "/return/%51s8abcdefghij?%74oken=zzzzzzzzzz")
    assert "s8abcdefghij" not in caplog.text and "zzzzzzzzzz" not in caplog.text
    assert "/return/***?token=***" in caplog.text
