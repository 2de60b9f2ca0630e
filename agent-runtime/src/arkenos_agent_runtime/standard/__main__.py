"""``arkenos-worker``: the shared standard worker, registered as STANDARD_DISPATCH_NAME."""

from __future__ import annotations

import sys

from arkenos_agent_runtime.hosting import WorkerHost
from arkenos_agent_runtime.logs import setup_logging
from arkenos_agent_runtime.loops import run_worker
from arkenos_agent_runtime.settings import Settings, SettingsError, load_settings
from arkenos_agent_runtime.standard.call import run_standard_call
from arkenos_crds.voiceagent import STANDARD_DISPATCH_NAME


def main() -> int:
    try:
        settings = load_settings(Settings)
    except SettingsError as error:
        sys.stderr.write(f"arkenos-worker: invalid settings: {error}\n")
        return 2
    setup_logging(json_format=settings.log_json)

    async def serve() -> None:
        host = WorkerHost(settings, agent_name=STANDARD_DISPATCH_NAME, entrypoint=run_standard_call)
        await host.run()

    run_worker(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
