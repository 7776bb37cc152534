"""Complete LTI launches per second and their latency: Assessment Bridge vs plain pylti1p3.

Each launch is what a browser does: POST the login initiation to the tool, follow the
redirect to the sandbox LMS's authorization endpoint, post the id_token form to the tool's
launch URL, read the landing page.  The sandbox LMS, the tool and the plain pylti1p3 handler
each run in their own process (the tool and the baseline under the same gunicorn settings);
launches are prepared in the LMS beforehand so only the dance itself is timed.

Usage: python -m bench.launch [--launches N] [--concurrency C]
Targets: p50 <= 15 ms, throughput >= 3x the plain handler.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import tempfile
import threading
import time
import typing as t
from pathlib import Path

from cryptography.fernet import Fernet

from bench.common import free_port
from bench.common import percentile
from bench.common import process_tree_cpu_seconds
from bench.common import report
from bench.common import start_process
from bench.common import stop_process
from lti import keys as rsa_keys
from plugin.sandbox.browser import SandboxBrowser
from plugin.sandbox.lms import SandboxLms
from plugin.services import services


def setup_tool(lms: SandboxLms, workdir: Path) -> tuple[dict[str, str], str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        "BRIDGE_DATA_DIR": str(workdir / "tool"),
        "BRIDGE_BASE_URL": url,
        "BRIDGE_SECRET_KEYS": Fernet.generate_key().decode(),
        "BRIDGE_QUEUE_URL": f"sqlite:///{workdir / 'queue.sqlite3'}",
        "BRIDGE_LOG_LEVEL": "WARNING",
        "BRIDGE_LOGIN_RATE_LIMIT": "0",  # hundreds of logins a minute from one address
    }
    from plugin import create_app
    from plugin.runtime.bootstrap import bootstrap
    from tests.support.registration import register_by_hand

    app = create_app(env)
    bootstrap(app)
    info, _ = register_by_hand(lms, services(app).platforms, url, name="bridge")
    services(app).engine.dispose()
    return env, info.record.client_id


def setup_plain(lms: SandboxLms, workdir: Path) -> tuple[int, str, Path]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    answer = lms.register_tool(
        name="plain",
        initiate_login_uri=f"{url}/login/",
        redirect_uris=[f"{url}/launch/"],
        jwks_uri=f"{url}/jwks/",
        target_link_uri=f"{url}/launch/",
    )
    key = rsa_keys.generate_private_key()
    config = {
        "tool": {
            answer["issuer"]: [
                {
                    "default": True,
                    "client_id": answer["client_id"],
                    "auth_login_url": answer["auth_login_url"],
                    "auth_token_url": answer["auth_token_url"],
                    "auth_audience": None,
                    "key_set_url": answer["key_set_url"],
                    "key_set": None,
                    "deployment_ids": [answer["deployment_id"]],
                }
            ]
        },
        "private_keys": {answer["issuer"]: rsa_keys.private_pem(key).decode()},
        "client_ids": {answer["issuer"]: answer["client_id"]},
    }
    path = workdir / "plain.json"
    path.write_text(json.dumps(config))
    return port, answer["client_id"], path


def prepare(lms: SandboxLms, client_id: str, course: t.Any, count: int) -> list[dict[str, t.Any]]:
    return [
        lms.launch(
            client_id=client_id,
            user_id=course.learner_id,
            context_id=course.context_id,
            resource_link_id=course.resource_link_id,
        )["login_initiation"]
        for _ in range(count)
    ]


_local = threading.local()


def one_launch(initiation: dict[str, t.Any]) -> float:
    """One browser launch; each client thread keeps its connections alive between launches."""
    if not hasattr(_local, "browser"):
        _local.browser = SandboxBrowser()
    browser: SandboxBrowser = _local.browser
    browser.session.cookies.clear()
    started = time.perf_counter()
    page = browser.run_launch(initiation)
    elapsed = time.perf_counter() - started
    if page.status_code != 200:
        raise RuntimeError(f"launch failed with HTTP {page.status_code}: {page.text[:300]}")
    return elapsed


def measure(
    initiations: list[dict[str, t.Any]], warmup: int, concurrency: int, server_pid: int
) -> dict[str, float]:
    """Latency from sequential launches, throughput and server CPU from concurrent ones."""
    for initiation in initiations[:warmup]:
        one_launch(initiation)
    rest = initiations[warmup:]
    half = len(rest) // 2
    sequential = [one_launch(i) for i in rest[:half]]
    cpu_before = process_tree_cpu_seconds(server_pid)
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one_launch, rest[half:]))
    wall = time.perf_counter() - started
    cpu_ms = (process_tree_cpu_seconds(server_pid) - cpu_before) * 1000 / (len(rest) - half)
    return {
        "p50_ms": percentile(sequential, 0.50) * 1000,
        "p99_ms": percentile(sequential, 0.99) * 1000,
        "launches_per_s": (len(rest) - half) / wall,
        "server_cpu_ms_per_launch": cpu_ms,
        "launches_per_cpu_s": 1000 / cpu_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--launches", type=int, default=400, help="launches per implementation")
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-launch-"))
    lms_port = free_port()
    lms_process = start_process(
        ["-m", "bench.serve", "lms", "--port", str(lms_port)],
        ready_url=f"http://127.0.0.1:{lms_port}/jwks",
    )
    processes = [lms_process]
    try:
        lms = SandboxLms(f"http://127.0.0.1:{lms_port}")
        course = lms.create_course()
        tool_env, tool_client = setup_tool(lms, workdir)
        tool_port = tool_env["BRIDGE_BASE_URL"].rsplit(":", 1)[1]
        tool = start_process(
            ["-m", "bench.serve", "tool", "--port", tool_port],
            env=tool_env,
            ready_url=tool_env["BRIDGE_BASE_URL"] + "/healthz",
        )
        processes.append(tool)
        plain_port, plain_client, plain_config = setup_plain(lms, workdir)
        plain = start_process(
            [
                "-m",
                "bench.serve",
                "plain",
                "--port",
                str(plain_port),
                "--config",
                str(plain_config),
            ],
            ready_url=f"http://127.0.0.1:{plain_port}/jwks/",
        )
        processes.append(plain)
        warmup = 20
        total = args.launches + warmup
        results = {
            "bridge": measure(
                prepare(lms, tool_client, course, total), warmup, args.concurrency, tool.pid
            ),
            "plain_pylti1p3": measure(
                prepare(lms, plain_client, course, total), warmup, args.concurrency, plain.pid
            ),
        }
    finally:
        for process in reversed(processes):
            stop_process(process)
    ratio = results["bridge"]["launches_per_s"] / results["plain_pylti1p3"]["launches_per_s"]
    capacity_ratio = (
        results["bridge"]["launches_per_cpu_s"] / results["plain_pylti1p3"]["launches_per_cpu_s"]
    )
    rows = [
        [
            name,
            r["launches_per_s"],
            r["p50_ms"],
            r["p99_ms"],
            r["server_cpu_ms_per_launch"],
            r["launches_per_cpu_s"],
        ]
        for name, r in results.items()
    ]
    figures = {
        "launches": args.launches,
        "concurrency": args.concurrency,
        **{
            f"{name}_{key}": round(value, 2)
            for name, r in results.items()
            for key, value in r.items()
        },
        "throughput_ratio": round(ratio, 2),
        "server_capacity_ratio": round(capacity_ratio, 2),
        "target_p50_ms": 15,
        "target_ratio": 3,
        "p50_met": results["bridge"]["p50_ms"] <= 15,
        "ratio_met": ratio >= 3,
    }
    report(
        f"LTI launches ({args.launches} per implementation; half sequential for latency, "
        f"half with {args.concurrency} concurrent browsers for throughput;"
        f" throughput ratio {ratio:.2f}x)",
        [
            "implementation",
            "launches/s",
            "p50 ms",
            "p99 ms",
            "server CPU ms/launch",
            "launches per server CPU-s",
        ],
        rows,
        figures,
    )


if __name__ == "__main__":
    main()
