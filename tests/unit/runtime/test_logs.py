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
