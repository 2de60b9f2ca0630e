"""``arkenos-custom-runner --artifact-dir DIR --entrypoint MODULE[:NAME]``: serve a custom
agent under ARKENOS_DISPATCH_NAME for the agent ARKENOS_WORKSPACE/ARKENOS_AGENT."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from arkenos_agent_runtime.custom.runner import custom_call
from arkenos_agent_runtime.hosting import WorkerHost
from arkenos_agent_runtime.logs import setup_logging
from arkenos_agent_runtime.settings import Settings
from arkenos_agent_runtime.usercode import UserCodeError, load


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="arkenos-custom-runner")
    parser.add_argument("--artifact-dir", type=Path, required=True)
    parser.add_argument("--entrypoint", required=True)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    settings = Settings.from_env()
    setup_logging(json_format=settings.log_json)
    missing = [
        name
        for name in ("ARKENOS_WORKSPACE", "ARKENOS_AGENT", "ARKENOS_DISPATCH_NAME")
        if not os.environ.get(name)
    ]
    if missing:
        sys.stderr.write(f"arkenos-custom-runner: {', '.join(missing)} must be set\n")
        return 2
    try:
        user_code = load(args.artifact_dir, args.entrypoint)
    except UserCodeError as exc:
        sys.stderr.write(f"arkenos-custom-runner: cannot load the agent: {exc}\n")
        return 1
    job = custom_call(user_code, os.environ["ARKENOS_WORKSPACE"], os.environ["ARKENOS_AGENT"])

    async def serve() -> None:
        host = WorkerHost(settings, agent_name=os.environ["ARKENOS_DISPATCH_NAME"], entrypoint=job)
        await host.run()

    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
