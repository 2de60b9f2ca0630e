"""Loading a custom agent's code from an artifact directory, shared by the build's import
check and the custom runner.

An artifact directory holds ``app/`` (the bundle's files) and ``site-packages/`` (its
installed requirements). The entrypoint is ``module`` or ``module:attribute``; the attribute
(default ``entrypoint``, else the one Agent subclass the module defines) is either an async
function taking an ``AgentContext`` or a ``livekit.agents.Agent`` subclass.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

APP_DIR = "app"
SITE_PACKAGES_DIR = "site-packages"
DEFAULT_ATTRIBUTE = "entrypoint"


class UserCodeError(Exception):
    """The user's code cannot be loaded; the message says where and why, for a person."""


@dataclass(frozen=True)
class Entrypoint:
    module: str
    attribute: str | None

    @classmethod
    def parse(cls, text: str) -> Entrypoint:
        module, _, attribute = text.partition(":")
        if not module or not all(part.isidentifier() for part in module.split(".")):
            raise UserCodeError(f"entrypoint {text!r} is not of the form module or module:name")
        if attribute and not attribute.isidentifier():
            raise UserCodeError(f"entrypoint {text!r} names an invalid attribute")
        return cls(module, attribute or None)


def add_to_path(artifact_dir: Path) -> None:
    for sub in (SITE_PACKAGES_DIR, APP_DIR):
        path = str(artifact_dir / sub)
        if path not in sys.path:
            sys.path.insert(0, path)


def load(artifact_dir: Path, entrypoint: str) -> Any:
    """Import the entrypoint from the artifact and return the function or Agent class."""
    target = Entrypoint.parse(entrypoint)
    add_to_path(artifact_dir)
    module = _import(artifact_dir, target.module)
    if target.attribute is not None:
        if not hasattr(module, target.attribute):
            raise UserCodeError(
                f"module {target.module} has no attribute {target.attribute!r} "
                f"(the entrypoint {entrypoint})"
            )
        return _checked(getattr(module, target.attribute), entrypoint)
    if hasattr(module, DEFAULT_ATTRIBUTE):
        return _checked(getattr(module, DEFAULT_ATTRIBUTE), entrypoint)
    agents = _agent_classes(module)
    if len(agents) == 1:
        return agents[0]
    raise UserCodeError(
        f"module {target.module} defines no `entrypoint` function"
        + (" and no Agent subclass" if not agents else " and more than one Agent subclass")
        + "; define `async def entrypoint(ctx)` or name the object as module:name"
    )


def _import(artifact_dir: Path, module_name: str) -> Any:
    try:
        return importlib.import_module(module_name)
    except SyntaxError as exc:
        where = _relative(artifact_dir, exc.filename or "?")
        raise UserCodeError(
            f"syntax error in {where}:{exc.lineno}: {exc.msg}"
            + (f" ({exc.text.strip()})" if exc.text else "")
        ) from exc
    except ModuleNotFoundError as exc:
        if exc.name == module_name or module_name.startswith(f"{exc.name}."):
            raise UserCodeError(
                f"the entrypoint module {module_name} was not found in the bundle"
            ) from exc
        raise UserCodeError(
            f"importing {module_name} failed: module {exc.name!r} is not installed; add it to "
            "requirements.txt"
        ) from exc
    except Exception as exc:
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{_relative(artifact_dir, frame.filename)}:{frame.lineno}"
        raise UserCodeError(
            f"importing {module_name} failed at {where}: {type(exc).__name__}: {exc}"
        ) from exc


def _relative(artifact_dir: Path, filename: str) -> str:
    try:
        return str(Path(filename).resolve().relative_to((artifact_dir / APP_DIR).resolve()))
    except ValueError:
        return filename


def _agent_classes(module: Any) -> list[type]:
    from livekit.agents import Agent

    return [
        value
        for value in vars(module).values()
        if inspect.isclass(value)
        and issubclass(value, Agent)
        and value is not Agent
        and value.__module__ == module.__name__
    ]


def _checked(value: Any, entrypoint: str) -> Any:
    from livekit.agents import Agent

    if inspect.isclass(value) and issubclass(value, Agent):
        return value
    if inspect.iscoroutinefunction(value):
        return value
    raise UserCodeError(
        f"{entrypoint} must be an async function `entrypoint(ctx)` or an Agent subclass, "
        f"not {type(value).__name__}"
    )
