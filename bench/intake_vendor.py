"""Run the Mettl simulator in the foreground for ``bench/intake.py``.

``python -m bench.intake_vendor --port P`` with the account's keys in
``BENCH_METTL_PUBLIC_KEY`` and ``BENCH_METTL_PRIVATE_KEY`` (kept off the command line).
One gunicorn process, as the simulator's state is in memory, with the sandbox LMS's
thread count.
"""

from __future__ import annotations

import argparse
import os

from plugin.sandbox.vendors.mettl import create_mettl_app
from plugin.server import run_gunicorn

PUBLIC_KEY_VARIABLE = "BENCH_METTL_PUBLIC_KEY"
PRIVATE_KEY_VARIABLE = "BENCH_METTL_PRIVATE_KEY"
THREADS = 8


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = create_mettl_app(
        public_key=os.environ[PUBLIC_KEY_VARIABLE], private_key=os.environ[PRIVATE_KEY_VARIABLE]
    )
    run_gunicorn(app, bind=f"127.0.0.1:{args.port}", workers=1, threads=THREADS, access_log=False)


if __name__ == "__main__":
    main()
