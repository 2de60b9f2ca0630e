"""Stand-in commands for docker, kind, helm and kubectl: small programs on PATH that record
what they were asked (one JSON line per call) and answer like the real tools where the
script reads their output (`kind get clusters`, `docker info`)."""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

TOOLS = ("docker", "kind", "helm", "kubectl")
#: What hack/up.sh and hack/down.sh need from the system besides the four tools.
SYSTEM_COMMANDS = ("bash", "env", "dirname", "grep", "cat", "git", "python3", "sleep", "kill")

STAND_IN = """#!{python}
import json, os, sys
from pathlib import Path
state = Path(os.environ["STANDIN_STATE"])
tool, args = Path(sys.argv[0]).name, sys.argv[1:]
with (state / "calls.jsonl").open("a") as log:
    log.write(json.dumps({{"tool": tool, "args": args}}) + "\\n")
clusters = state / "clusters"
if tool == "docker" and args[:1] == ["info"]:
    sys.exit(1 if (state / "docker-down").exists() else 0)
if tool == "kind" and args[:2] == ["get", "clusters"]:
    print(clusters.read_text() if clusters.exists() else "", end="")
elif tool == "kind" and args[:2] == ["create", "cluster"]:
    clusters.write_text(args[args.index("--name") + 1] + "\\n")
elif tool == "kind" and args[:2] == ["delete", "cluster"]:
    clusters.unlink(missing_ok=True)
fail = state / f"fail-{{tool}}-{{args[0] if args else ''}}"
sys.exit(3 if fail.exists() else 0)
"""


@dataclass(frozen=True)
class Call:
    tool: str
    args: list[str]

    @property
    def line(self) -> str:
        return " ".join([self.tool, *self.args])


@dataclass(frozen=True)
class StandIns:
    """A PATH with stand-ins for ``present`` tools and the system commands the scripts use."""

    bin_dir: Path
    state: Path

    @classmethod
    def create(cls, root: Path, present: tuple[str, ...] = TOOLS) -> StandIns:
        bin_dir, state = root / "bin", root / "state"
        bin_dir.mkdir()
        state.mkdir()
        for command in SYSTEM_COMMANDS:
            found = shutil.which(command)
            assert found, f"{command} is needed to run hack/up.sh"
            (bin_dir / command).symlink_to(found)
        for tool in present:
            script = bin_dir / tool
            script.write_text(STAND_IN.format(python=sys.executable))
            script.chmod(0o755)
        return cls(bin_dir=bin_dir, state=state)

    def env(self) -> dict[str, str]:
        return {
            "PATH": str(self.bin_dir),
            "STANDIN_STATE": str(self.state),
            "HOME": str(self.state),
        }

    def calls(self) -> list[Call]:
        log = self.state / "calls.jsonl"
        if not log.exists():
            return []
        return [Call(**json.loads(line)) for line in log.read_text().splitlines()]

    def docker_down(self) -> None:
        (self.state / "docker-down").touch()

    def existing_cluster(self, name: str) -> None:
        (self.state / "clusters").write_text(name + "\n")

    def fail(self, tool: str, subcommand: str) -> None:
        (self.state / f"fail-{tool}-{subcommand}").touch()


def environ_without_path() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in {"PATH", "HOME"}}
