"""The build and fetch flows of ``arkenos-build``."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path

from arkenos_agent_runtime.build.archive import pack, unpack
from arkenos_agent_runtime.build.environment import probe_env
from arkenos_agent_runtime.build.errors import BuildError
from arkenos_agent_runtime.build.install import install_requirements
from arkenos_agent_runtime.build.storage import AgentCodeStore, digest_hex, file_sha256
from arkenos_agent_runtime.usercode import APP_DIR, SITE_PACKAGES_DIR, Entrypoint, UserCodeError

#: Importing user code may take a while (heavy imports) but never forever.
PROBE_TIMEOUT_SECONDS = 120


async def build(store: AgentCodeStore, digest: str, entrypoint: str) -> str:
    """Build the bundle ``digest``; return the artifact's digest."""
    digest_hex(digest)
    try:
        Entrypoint.parse(entrypoint)
    except UserCodeError as exc:
        raise BuildError(str(exc)) from exc
    with tempfile.TemporaryDirectory(prefix="arkenos-build-") as work:
        root = Path(work)
        bundle = root / "bundle.tar.gz"
        await store.download_bundle(digest, bundle)
        artifact = root / "artifact"
        await asyncio.to_thread(unpack, bundle, artifact / APP_DIR)
        await install_requirements(artifact / APP_DIR, artifact / SITE_PACKAGES_DIR)
        await check_entrypoint(artifact, entrypoint)
        packed = root / "artifact.tar.gz"
        await asyncio.to_thread(pack, artifact, packed)
        artifact_digest = f"sha256:{await asyncio.to_thread(file_sha256, packed)}"
        await store.upload_artifact(artifact_digest, packed)
    return artifact_digest


async def check_entrypoint(artifact: Path, entrypoint: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "arkenos_agent_runtime.build.probe",
        str(artifact),
        entrypoint,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        # User code is imported without the builder's environment (its workload token's
        # path, the API's URL): only what a Python process needs.
        env=probe_env(),
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), PROBE_TIMEOUT_SECONDS)
    except TimeoutError as exc:
        process.kill()
        await process.wait()
        raise BuildError(
            f"importing {entrypoint} did not finish within {PROBE_TIMEOUT_SECONDS} s; "
            "move slow work out of module import"
        ) from exc
    lines = stdout.decode(errors="replace").strip().splitlines()
    try:
        outcome = json.loads(lines[-1])
    except (IndexError, ValueError):
        detail = stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise BuildError(f"importing {entrypoint} crashed: {' '.join(detail)}") from None
    if not outcome.get("ok"):
        raise BuildError(str(outcome.get("message")))


async def fetch(store: AgentCodeStore, artifact_digest: str, dest: Path) -> None:
    digest_hex(artifact_digest)
    with tempfile.TemporaryDirectory(prefix="arkenos-fetch-") as work:
        archive = Path(work) / "artifact.tar.gz"
        await store.download_artifact(artifact_digest, archive)
        await asyncio.to_thread(unpack, archive, dest)
