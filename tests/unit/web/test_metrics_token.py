"""``/metrics`` behind ``BRIDGE_METRICS_TOKEN``, open when it is unset."""

from __future__ import annotations

import typing as t

from flask import Flask

TOKEN = "metrics-token-for-tests"


def test_without_a_header_the_answer_is_401_with_a_challenge(
    make_app: t.Callable[..., Flask],
) -> None:
    response = make_app(BRIDGE_METRICS_TOKEN=TOKEN).test_client().get("/metrics")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert TOKEN not in response.get_data(as_text=True)


def test_a_wrong_token_is_refused(make_app: t.Callable[..., Flask]) -> None:
    client = make_app(BRIDGE_METRICS_TOKEN=TOKEN).test_client()
    for header in (f"Bearer {TOKEN}x", "Bearer ", f"Basic {TOKEN}", TOKEN):
        response = client.get("/metrics", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert TOKEN not in response.get_data(as_text=True)


def test_the_right_token_gets_the_metrics(make_app: t.Callable[..., Flask]) -> None:
    client = make_app(BRIDGE_METRICS_TOKEN=TOKEN).test_client()
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert "bridge_platforms" in response.get_data(as_text=True)


def test_without_the_setting_metrics_stay_open(app: Flask) -> None:
    response = app.test_client().get("/metrics")
    assert response.status_code == 200
    assert "bridge_platforms" in response.get_data(as_text=True)
