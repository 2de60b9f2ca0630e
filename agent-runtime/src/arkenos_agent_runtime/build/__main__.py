"""``arkenos-build build|fetch``: see the module docstring of arkenos_agent_runtime.build.

On failure the one-paragraph message goes to stderr and to the termination log, which the
operator copies into the VoiceAgent's Built condition; the exit status is non-zero.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from arkenos_agent_runtime.build.command import build, fetch
from arkenos_agent_runtime.build.errors import BuildError
from arkenos_agent_runtime.build.storage import AgentCodeStore


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="arkenos-build")
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="build a bundle into an artifact")
    build_cmd.add_argument("--digest", required=True, help="sha256:<hex> of the bundle")
    build_cmd.add_argument("--entrypoint", required=True, help="module or module:attribute")
    build_cmd.add_argument("--termination-log", type=Path, default=None)
    fetch_cmd = commands.add_parser("fetch", help="download and unpack an artifact")
    fetch_cmd.add_argument("--artifact-digest", required=True)
    fetch_cmd.add_argument("--dest", type=Path, required=True)
    fetch_cmd.add_argument("--termination-log", type=Path, default=None)
    return parser.parse_args(argv)


def _write(path: Path | None, text: str) -> None:
    if path is not None:
        path.write_text(text)


async def run(args: argparse.Namespace) -> str | None:
    store = AgentCodeStore.from_env()
    if args.command == "build":
        artifact = await build(store, args.digest, args.entrypoint)
        return json.dumps({"artifactDigest": artifact})
    await fetch(store, args.artifact_digest, args.dest)
    return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        result = asyncio.run(run(args))
    except BuildError as exc:
        message = f"build failed: {exc}" if args.command == "build" else f"fetch failed: {exc}"
        sys.stderr.write(message + "\n")
        _write(args.termination_log, message)
        return 1
    if result is not None:
        sys.stdout.write(result + "\n")
        _write(args.termination_log, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
