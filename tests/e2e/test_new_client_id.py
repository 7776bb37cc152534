"""A second client id under an issuer the tool already knows launches at once, in every
process: a worker that remembers the issuer's registrations looks again for a client id
they lack, instead of refusing it until its memory runs out."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import typing as t

import pytest

from plugin.services import services
from tests.e2e.conftest import Registration
from tests.e2e.conftest import RunningTool
from tests.e2e.conftest import free_port
from tests.e2e.conftest import launch_as
from tests.e2e.test_worker_crash import ToolProcesses
from tests.support.registration import register_by_hand

if t.TYPE_CHECKING:
    from collections.abc import Callable
    from collections.abc import Iterator
    from pathlib import Path

    from flask import Flask

    from plugin.sandbox.lms import SandboxCourse
    from plugin.sandbox.lms import SandboxLms

pytestmark = pytest.mark.e2e


def assert_learner_page(lms: SandboxLms, registration: Registration, course: SandboxCourse) -> None:
    page = launch_as(lms, registration, course, course.learner_id)
    assert page.status_code == 200, page.text[:500]
    assert 'data-role="learner"' in page.text


def test_a_client_id_another_worker_registered_launches_at_once(
    lms: SandboxLms,
    tool: RunningTool,
    registration: Registration,
    course: SandboxCourse,
    make_app: Callable[..., Flask],
) -> None:
    assert_learner_page(lms, registration, course)  # the serving app remembers the issuer
    other_worker = make_app(BRIDGE_BASE_URL=tool.url)  # the same database, its own memory
    info, deployment_id = register_by_hand(lms, services(other_worker).platforms, tool.url)
    second = Registration(info.record.client_id, deployment_id, info.record.issuer)
    assert second.issuer == registration.issuer and second.client_id != registration.client_id

    assert_learner_page(lms, second, course)


@pytest.fixture
def served(
    tmp_path: Path, database_url: str, secret_keys: str, make_app: Callable[..., Flask]
) -> Iterator[tuple[ToolProcesses, RunningTool]]:
    """``serve`` with one web worker, and an app on the same store for the test's setup."""
    port = free_port()
    env = {
        **os.environ,
        "BRIDGE_DATA_DIR": str(tmp_path / "data"),
        "BRIDGE_DATABASE_URL": database_url,
        "BRIDGE_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}",
        "BRIDGE_CACHE_URL": f"filesystem://{tmp_path / 'cache'}",
        "BRIDGE_BASE_URL": f"http://127.0.0.1:{port}",
        "BRIDGE_SECRET_KEYS": secret_keys,
        "BRIDGE_LOGIN_RATE_LIMIT": "0",
    }
    processes = ToolProcesses(env, port)
    settings = {k: v for k, v in env.items() if k.startswith("BRIDGE_") and k != "BRIDGE_QUEUE_URL"}
    app = make_app(**settings)
    try:
        yield processes, RunningTool(url=env["BRIDGE_BASE_URL"], app=app)
    finally:
        processes.stop()


def test_a_platform_added_with_the_cli_while_serve_runs_launches_at_once(
    lms: SandboxLms, course: SandboxCourse, served: tuple[ToolProcesses, RunningTool]
) -> None:
    processes, tool = served
    info, deployment_id = register_by_hand(lms, tool.platforms, tool.url)
    first = Registration(info.record.client_id, deployment_id, info.record.issuer)
    processes.start_web()
    assert_learner_page(lms, first, course)  # serve's worker now remembers the issuer

    answer = lms.register_tool(
        name="Assessment Bridge (second)",
        initiate_login_uri=f"{tool.url}/lti/login",
        redirect_uris=[f"{tool.url}/lti/launch"],
        jwks_uri=f"{tool.url}/lti/jwks",
        target_link_uri=f"{tool.url}/lti/launch",
    )
    options = {
        "--issuer": answer["issuer"],
        "--client-id": answer["client_id"],
        "--auth-login-url": answer["auth_login_url"],
        "--auth-token-url": answer["auth_token_url"],
        "--key-set-url": answer["key_set_url"],
        "--deployment-id": answer["deployment_id"],
    }
    added = subprocess.run(
        [sys.executable, "-m", "plugin", "platform", "add", *itertools.chain(*options.items())],
        env=processes.env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert added.returncode == 0, added.stderr.decode()[-2000:]
    second = Registration(answer["client_id"], answer["deployment_id"], answer["issuer"])

    assert_learner_page(lms, second, course)
