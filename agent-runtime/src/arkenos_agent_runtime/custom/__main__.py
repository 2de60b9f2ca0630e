"""``arkenos-custom-runner --artifact-dir DIR --entrypoint MODULE[:NAME]``: serve a custom
agent under ARKENOS_DISPATCH_NAME for the agent ARKENOS_WORKSPACE/ARKENOS_AGENT."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from arkenos_agent_runtime.custom.runner import custom_call
from arkenos_agent_runtime.hosting import WorkerHost
from arkenos_agent_runtime.logs import setup_logging
from arkenos_agent_runtime.loops import run_worker
from arkenos_agent_runtime.settings import CustomAgentSettings, SettingsError, load_settings
from arkenos_agent_runtime.usercode import UserCodeError, load


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="arkenos-custom-runner")
    parser.add_argument("--artifact-dir", type=Path, required=True)
    parser.add_argument("--entrypoint", required=True)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        settings = load_settings(CustomAgentSettings)
    except SettingsError as error:
        sys.stderr.write(f"arkenos-custom-runner: invalid settings: {error}\n")
        return 2
    setup_logging(json_format=settings.log_json)
    try:
        user_code = load(args.artifact_dir, args.entrypoint)
    except UserCodeError as exc:
        sys.stderr.write(f"arkenos-custom-runner: cannot load the agent: {exc}\n")
        return 1
    job = custom_call(user_code, settings.workspace, settings.agent)

    async def serve() -> None:
        host = WorkerHost(settings, agent_name=settings.dispatch_name, entrypoint=job)
        await host.run()

    run_worker(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
