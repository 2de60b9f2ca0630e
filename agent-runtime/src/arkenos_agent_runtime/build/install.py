"""Installing a bundle's requirements into the artifact with pip, hash-checked when the
requirements carry hashes. Where pip looks is set by the environment (ARKENOS_PIP_INDEX_URL,
ARKENOS_PIP_EXTRA_INDEX_URL, ARKENOS_PIP_FIND_LINKS, ARKENOS_PIP_NO_INDEX), so production
uses the normal index and tests a local directory."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from arkenos_agent_runtime.build.environment import pip_env
from arkenos_agent_runtime.build.errors import BuildError


def pip_command(requirements: Path, target: Path, env: dict[str, str]) -> list[str]:
    command = [
        sys.executable, "-m", "pip", "install",
        "--no-input", "--disable-pip-version-check", "--no-cache-dir", "--quiet",
        "--target", str(target),
        "-r", str(requirements),
    ]  # fmt: skip
    if "--hash=" in requirements.read_text():
        command.append("--require-hashes")
    if env.get("ARKENOS_PIP_NO_INDEX", "").lower() == "true":
        command.append("--no-index")
    for option, variable in (
        ("--index-url", "ARKENOS_PIP_INDEX_URL"),
        ("--extra-index-url", "ARKENOS_PIP_EXTRA_INDEX_URL"),
        ("--find-links", "ARKENOS_PIP_FIND_LINKS"),
    ):
        if env.get(variable):
            command += [option, env[variable]]
    return command


async def install_requirements(app_dir: Path, target: Path) -> None:
    requirements = app_dir / "requirements.txt"
    command = await asyncio.to_thread(_prepare, requirements, target)
    if command is None:
        return
    process = await asyncio.create_subprocess_exec(
        *command,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        # Installing runs the packages' own setup code: not with the builder's credentials.
        env=pip_env(),
    )
    _, stderr = await process.communicate()
    if process.returncode != 0:
        raise BuildError(f"the requirements could not be installed: {_pip_errors(stderr)}")


def _prepare(requirements: Path, target: Path) -> list[str] | None:
    target.mkdir(parents=True, exist_ok=True)
    if not requirements.is_file():
        return None
    return pip_command(requirements, target, dict(os.environ))


def _pip_errors(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode(errors="replace").splitlines()]
    errors = [line.removeprefix("ERROR: ") for line in lines if line.startswith("ERROR:")]
    return " ".join(errors or lines[-5:])[:2000] or "pip failed without a message"
