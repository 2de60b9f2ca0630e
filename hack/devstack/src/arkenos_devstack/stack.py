"""The local platform as a list of components, started in order and stopped in reverse.

A component is anything with a ``name``, ``start(stack)``, ``stop()`` and ``describe()``
(lines for the person at the terminal: URLs, how to log in). Components publish what later
ones need in ``stack.env`` (``KUBECONFIG``, ``ARKENOS_DATABASE_URL``, ``ARKENOS_API_URL``...),
so a new part of the platform (LiveKit, the dashboard) is one more class in the list, with no
change to the others.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from arkenos_devstack.process import LOOPBACK, ManagedProcess, http_ok


class Component(Protocol):
    name: str

    def start(self, stack: Stack) -> None: ...

    def stop(self) -> None: ...

    def describe(self) -> list[str]: ...


@dataclass
class Stack:
    """The running components, their shared directory and what they publish to each other."""

    base_dir: Path
    components: list[Component]
    env: dict[str, str] = field(default_factory=dict)
    started: list[Component] = field(default_factory=list)

    def start(self) -> None:
        """Start every component in order; on a failure stop those already started."""
        try:
            for component in self.components:
                print(f"starting {component.name}...", file=sys.stderr)
                component.start(self)
                self.started.append(component)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        while self.started:
            component = self.started.pop()
            print(f"stopping {component.name}...", file=sys.stderr)
            component.stop()

    def describe(self) -> str:
        lines = [f"Arkenos local stack in {self.base_dir}"]
        for component in self.started:
            lines += [f"  {component.name}:", *(f"    {line}" for line in component.describe())]
        return "\n".join(lines)


class PythonServer:
    """A platform process run from this checkout's environment (the API, the operator)."""

    def __init__(self, name: str, argv: list[str], *, ready_path: str, port: int) -> None:
        self.name = name
        self.argv = argv
        self.ready_path = ready_path
        self.port = port
        self.process: ManagedProcess | None = None

    def run(self, stack: Stack, env: dict[str, str]) -> None:
        executable = Path(sys.executable).with_name(self.argv[0])
        self.process = ManagedProcess(
            self.name,
            [executable, *self.argv[1:]],
            log_file=stack.base_dir / "logs" / f"{self.name}.log",
            env={**without_settings(os.environ), **stack.env, **env},
        ).start()
        self.process.wait_ready(
            http_ok(f"http://{LOOPBACK}:{self.port}{self.ready_path}"),
            within=90,
            what=self.ready_path,
        )

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()


def without_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """This shell's environment without ARKENOS_* settings, so only the stack's apply."""
    return {key: value for key, value in environ.items() if not key.startswith("ARKENOS_")}
