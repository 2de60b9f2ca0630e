"""Build the real servers from the pinned Go modules in ``hack/tools/<name>/`` into a cache.

Each tool folder holds a ``go.mod`` and ``go.sum`` (versions pinned, committed), a small
``tools.go`` that imports the commands' packages so ``go mod tidy`` keeps them, and a
``tool.json``::

    {"version": "v1.34.4", "cgo": false,
     "ldflags": ["-X k8s.io/component-base/version.gitVersion=v1.34.4"],
     "binaries": {"kube-apiserver": "k8s.io/kubernetes/cmd/kube-apiserver"}}

``ldflags`` (optional) are added to ``-s -w``: Kubernetes reads its own version from variables
its release build stamps, and without them its binaries call themselves v0.0.0.

Binaries land in ``$ARKENOS_TOOLS_CACHE`` (default ``~/.cache/arkenos/tools``) under
``<name>/<key>/bin`` where the key hashes the folder's files and the Go version, so a second run
builds nothing and a changed pin builds afresh.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

TOOLS_DIR = Path(__file__).resolve().parents[3] / "tools"
KEY_FILES = ("go.mod", "go.sum", "tool.json")


class ToolBuildError(RuntimeError):
    """A tool could not be built; the message names the tool and the log."""


@dataclass(frozen=True)
class Tool:
    """One pinned Go module folder and the binaries it builds."""

    name: str
    folder: Path
    version: str
    cgo: bool
    binaries: dict[str, str]
    ldflags: tuple[str, ...] = ()

    @classmethod
    def load(cls, folder: Path) -> Tool:
        spec = json.loads((folder / "tool.json").read_text())
        return cls(
            name=folder.name,
            folder=folder,
            version=spec["version"],
            cgo=bool(spec.get("cgo", False)),
            binaries=dict(spec["binaries"]),
            ldflags=tuple(spec.get("ldflags", ())),
        )

    def key(self, go_version: str) -> str:
        digest = hashlib.sha256(go_version.encode())
        # Go sources too: a tool's own main (etcd's) changes what is built as much as a pin.
        sources = sorted(self.folder.rglob("*.go"))
        for path in [*(self.folder / name for name in KEY_FILES), *sources]:
            relative = path.relative_to(self.folder).as_posix()
            digest.update(relative.encode() + b"\0" + path.read_bytes())
        return f"{self.version}-{digest.hexdigest()[:12]}"


def cache_root() -> Path:
    configured = os.environ.get("ARKENOS_TOOLS_CACHE")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "arkenos" / "tools"


def available_tools() -> dict[str, Tool]:
    return {
        folder.name: Tool.load(folder)
        for folder in sorted(TOOLS_DIR.iterdir())
        if (folder / "tool.json").is_file()
    }


def go_version() -> str:
    go = shutil.which("go")
    if go is None:
        raise ToolBuildError("Go is not installed: the real servers are built from Go modules.")
    return subprocess.run(
        [go, "env", "GOVERSION"], capture_output=True, text=True, check=True
    ).stdout.strip()


def bin_dir(tool: Tool, *, go: str | None = None) -> Path:
    return cache_root() / tool.name / tool.key(go or go_version()) / "bin"


def is_built(name: str) -> bool:
    """Whether ``name``'s binaries are in the cache for its pinned version."""
    tool = available_tools().get(name)
    return tool is not None and all((bin_dir(tool) / b).is_file() for b in tool.binaries)


def ensure_built(name: str, *, quiet: bool = False) -> Path:
    """Build ``name`` unless its binaries are cached; return the folder that holds them.

    A lock per tool makes concurrent callers (two test sessions, ``make tools`` beside
    ``make dev``) wait for one build instead of racing into the same folder.
    """
    tool = available_tools().get(name)
    if tool is None:
        raise ToolBuildError(f"No tool {name!r} in {TOOLS_DIR}.")
    target = bin_dir(tool)
    if _complete(tool, target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / "build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _complete(tool, target):
            _build(tool, target, quiet=quiet)
    return target


def _complete(tool: Tool, target: Path) -> bool:
    return all((target / binary).is_file() for binary in tool.binaries)


def _build(tool: Tool, target: Path, *, quiet: bool) -> None:
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    log_file = target.parent / "build.log"
    env = {
        **os.environ,
        "CGO_ENABLED": "1" if tool.cgo else "0",
        # readonly: build exactly the committed go.sum; a stale one fails instead of drifting.
        "GOFLAGS": "-mod=readonly -buildvcs=false",
    }
    started = time.monotonic()
    with log_file.open("w") as log:
        for binary, package in tool.binaries.items():
            if not quiet:
                print(f"building {tool.name}: {binary} ({package})", file=sys.stderr)
            result = subprocess.run(
                [
                    "go",
                    "build",
                    "-trimpath",
                    "-ldflags=" + " ".join(("-s", "-w", *tool.ldflags)),
                    "-o",
                    str(staging / binary),
                    package,
                ],
                cwd=tool.folder,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
            )
            if result.returncode != 0:
                raise ToolBuildError(f"Building {binary} of {tool.name} failed; see {log_file}.")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    if not quiet:
        print(
            f"built {tool.name} in {time.monotonic() - started:.0f} s into {target}",
            file=sys.stderr,
        )


def binary(name: str, binary_name: str) -> Path:
    """The path of one built binary, building its tool first when needed."""
    return ensure_built(name, quiet=True) / binary_name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="tools to build (default: all)")
    args = parser.parse_args(argv)
    names = args.names or list(available_tools())
    try:
        for name in names:
            print(ensure_built(name))
    except ToolBuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
