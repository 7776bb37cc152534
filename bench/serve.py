"""Run one server of a benchmark in the foreground: ``python -m bench.serve KIND --port P``.

KIND is ``lms`` (the sandbox LMS: one gunicorn process, as its state is in memory),
``tool`` (Assessment Bridge under gunicorn, settings from the environment) or ``plain``
(a pylti1p3 launch handler written as pylti1p3's README shows, same gunicorn settings).
"""

from __future__ import annotations

import argparse
import typing as t

GUNICORN: dict[str, t.Any] = {
    "workers": 2,
    "worker_class": "gthread",
    "threads": 4,
    "accesslog": None,
    "timeout": 60,
}


def run_gunicorn(app: t.Any, port: int, *, workers: int = GUNICORN["workers"]) -> None:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"127.0.0.1:{port}")
            for key, value in GUNICORN.items():
                self.cfg.set(key, value)
            self.cfg.set("workers", workers)

        def load(self) -> t.Any:
            return app

    Server().run()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["lms", "tool", "plain"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--config", help="plain: JSON file of the pylti1p3 tool configuration")
    args = parser.parse_args()
    if args.kind == "lms":
        from plugin.sandbox.lms import create_lms_app

        run_gunicorn(create_lms_app(base_url=f"http://127.0.0.1:{args.port}"), args.port, workers=1)
    elif args.kind == "tool":
        from plugin import create_app

        run_gunicorn(create_app(), args.port)
    else:
        from bench.plain_pylti1p3 import create_plain_app

        run_gunicorn(create_plain_app(args.config), args.port)


if __name__ == "__main__":
    main()
