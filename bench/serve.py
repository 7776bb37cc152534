"""Run one server of a benchmark in the foreground: ``python -m bench.serve KIND --port P``.

KIND is ``lms`` (the sandbox LMS: one gunicorn process, as its state is in memory),
``mettl`` (the Mettl simulator, likewise; the account's keys in ``BENCH_METTL_PUBLIC_KEY``
and ``BENCH_METTL_PRIVATE_KEY``, kept off the command line),
``tool`` (Assessment Bridge under gunicorn, settings from the environment) or ``plain``
(a pylti1p3 launch handler written as pylti1p3's README shows, same gunicorn settings).
"""

from __future__ import annotations

import argparse
import os

from plugin.runtime.server import run_gunicorn

WORKERS, THREADS = 2, 4
METTL_PUBLIC_KEY = "BENCH_METTL_PUBLIC_KEY"
METTL_PRIVATE_KEY = "BENCH_METTL_PRIVATE_KEY"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["lms", "mettl", "tool", "plain"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--config", help="plain: JSON file of the pylti1p3 tool configuration")
    args = parser.parse_args()
    if args.kind == "lms":
        from plugin.sandbox.lms import create_lms_app

        app = create_lms_app(base_url=f"http://127.0.0.1:{args.port}")
        run_gunicorn(app, bind=f"127.0.0.1:{args.port}", workers=1, threads=8, access_log=False)
    elif args.kind == "mettl":
        from plugin.sandbox.vendors.mettl import create_mettl_app

        app = create_mettl_app(
            public_key=os.environ[METTL_PUBLIC_KEY], private_key=os.environ[METTL_PRIVATE_KEY]
        )
        run_gunicorn(app, bind=f"127.0.0.1:{args.port}", workers=1, threads=8, access_log=False)
    elif args.kind == "tool":
        from plugin import create_app

        run_gunicorn(
            create_app(),
            bind=f"127.0.0.1:{args.port}",
            workers=WORKERS,
            threads=THREADS,
            access_log=False,
        )
    else:
        from bench.plain_pylti1p3 import create_plain_app

        run_gunicorn(
            create_plain_app(args.config),
            bind=f"127.0.0.1:{args.port}",
            workers=WORKERS,
            threads=THREADS,
            access_log=False,
        )


if __name__ == "__main__":
    main()
