"""The ``arkenos-api`` command: serve, run the worker gateway alone, run jobs, migrate, rotate
the master key, write OpenAPI."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from arkenos_api.core.heap import freeze_startup_heap
from arkenos_api.core.observability import configure_logging
from arkenos_api.settings import SettingsError


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from arkenos_api.app import create_app
    from arkenos_api.settings import load_settings

    settings = load_settings()
    configure_logging()
    app = create_app(settings)
    freeze_startup_heap()
    # proxy_headers=False: uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1;
    # the app reads it only from the proxies in ARKENOS_TRUSTED_PROXIES (core/addresses.py).
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
    )
    return 0


def _gateway(args: argparse.Namespace) -> int:
    import uvicorn

    from arkenos_api.gateway.app import create_gateway_app, load_gateway_settings

    settings = load_gateway_settings()
    configure_logging()
    app = create_gateway_app(settings)
    freeze_startup_heap()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
    )
    return 0


def _migrate(_: argparse.Namespace) -> int:
    from arkenos_api.core.db import upgrade
    from arkenos_api.settings import load_settings

    upgrade(load_settings().database_url.get_secret_value())
    print("database migrated to the latest revision")  # noqa: T201 - a CLI's output
    return 0


async def _rotate() -> int:
    from arkenos_api.core.db import create_engine, session_factory
    from arkenos_api.keys.crypto import Keyring
    from arkenos_api.keys.service import rotate_master_key
    from arkenos_api.settings import load_settings

    settings = load_settings()
    keyring = Keyring.parse(settings.master_keys_text())
    engine = create_engine(settings.database_url.get_secret_value(), 1)
    try:
        async with session_factory(engine)() as db_session:
            count = await rotate_master_key(db_session=db_session, keyring=keyring)
            await db_session.commit()
    finally:
        await engine.dispose()
    print(f"re-wrapped {count} data key(s) with master key {keyring.active_id}")  # noqa: T201
    return 0


def _jobs(_: argparse.Namespace) -> int:
    from arkenos_api.jobs.worker import run_worker
    from arkenos_api.settings import load_settings

    settings = load_settings()
    configure_logging()
    freeze_startup_heap()
    asyncio.run(run_worker(settings))
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from arkenos_api.openapi import DEFAULT_PATH, write

    print(f"wrote {write(Path(args.output) if args.output else DEFAULT_PATH)}")  # noqa: T201
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="arkenos-api", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the API server")
    serve.add_argument("--host", default="0.0.0.0")  # noqa: S104 - a server in a pod
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(run=_serve)
    gateway = commands.add_parser(
        "gateway", help="run only the worker gateway custom agents' LiveKit workers connect to"
    )
    gateway.add_argument("--host", default="0.0.0.0")  # noqa: S104 - a server in a pod
    gateway.add_argument("--port", type=int, default=8090)
    gateway.set_defaults(run=_gateway)
    commands.add_parser("migrate", help="apply pending database migrations").set_defaults(
        run=_migrate
    )
    commands.add_parser(
        "rotate-master-key",
        help="re-wrap data keys with the first master key (keep the old key listed after it)",
    ).set_defaults(run=lambda _: asyncio.run(_rotate()))
    commands.add_parser("jobs", help="run the background jobs worker").set_defaults(run=_jobs)
    openapi = commands.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", help="file to write (default api/openapi.json)")
    openapi.set_defaults(run=_openapi)
    args = parser.parse_args(argv)
    try:
        result: int = args.run(args)
    except SettingsError as error:
        print(f"arkenos-api: {error}", file=sys.stderr)  # noqa: T201 - a CLI's output
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
