"""Both worker entry points run the worker, and every call's loop, on uvloop.

livekit-agents makes each job thread's loop with ``asyncio.new_event_loop()``
(ipc/proc_client.py); the entry points set uvloop's policy before anything makes a loop, so
a call's loop is uvloop's too. Each case runs in a process of its own, the entry point's
``main`` with the host's ``run`` replaced by a probe: the policy is process-wide.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from arkenos_crds.starter import STARTER_DIR
from arkenos_crds.voiceagent import dispatch_name_for
from arkenos_devstack.stack import without_settings

PROBE = """
import asyncio, threading
import uvloop
from arkenos_agent_runtime import hosting
from arkenos_agent_runtime.{module} import __main__ as entry

seen = {{}}

async def probe(self):
    seen["worker"] = type(asyncio.get_running_loop())

    def job():  # as livekit-agents' job thread makes its loop
        loop = asyncio.new_event_loop()
        seen["call"] = type(loop)
        loop.close()

    thread = threading.Thread(target=job)
    thread.start()
    thread.join()

hosting.WorkerHost.run = probe
code = entry.main()  # the custom runner reads its arguments from sys.argv
print(code, seen["worker"] is uvloop.Loop, seen["call"] is uvloop.Loop)
"""


def run_probe(module: str, args: list[str], tmp_path: Path, **env: str) -> list[str]:
    token = tmp_path / "token"
    token.write_text("pool-token")
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module), *args],
        env={
            **without_settings(os.environ),
            "ARKENOS_API_URL": "http://127.0.0.1:9",
            "ARKENOS_TOKEN_FILE": str(token),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_standard_worker_and_its_calls_run_on_uvloop(tmp_path: Path) -> None:
    assert run_probe("standard", [], tmp_path) == ["0", "True", "True"]


def test_custom_runner_and_its_calls_run_on_uvloop(tmp_path: Path) -> None:
    artifact = tmp_path / "artifact"
    shutil.copytree(STARTER_DIR, artifact / "app")
    (artifact / "site-packages").mkdir()
    args = ["--artifact-dir", str(artifact), "--entrypoint", "agent"]
    seen = run_probe(
        "custom",
        args,
        tmp_path,
        ARKENOS_WORKSPACE="acme",
        ARKENOS_AGENT="night-desk",
        ARKENOS_DISPATCH_NAME=dispatch_name_for("acme", "night-desk", "Custom"),
    )
    assert seen == ["0", "True", "True"]
