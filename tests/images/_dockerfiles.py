"""Reading images/<name>/Dockerfile with dockerfile-parse: stages, ARG defaults, the final
stage's instructions, and the console scripts of the package an image installs."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "images"

#: image folder -> the workspace member it installs (None: the dashboard, a Node image).
PYTHON_MEMBERS = {"api": "api", "operator": "operator", "agent-runtime": "agent-runtime"}
ALL_IMAGES = (*PYTHON_MEMBERS, "dashboard")


@dataclass(frozen=True)
class Dockerfile:
    name: str
    instructions: list[dict[str, Any]]

    @classmethod
    def load(cls, name: str) -> Dockerfile:
        parser = DockerfileParser(path=str(IMAGES / name / "Dockerfile"))
        return cls(name=name, instructions=list(parser.structure))

    def global_args(self) -> dict[str, str]:
        """ARGs before the first FROM, with their defaults."""
        args: dict[str, str] = {}
        for instruction in self.instructions:
            if instruction["instruction"] == "FROM":
                break
            if instruction["instruction"] == "ARG" and "=" in instruction["value"]:
                key, _, default = instruction["value"].partition("=")
                args[key] = default
        return args

    def final_stage(self) -> list[dict[str, Any]]:
        froms = [i for i, ins in enumerate(self.instructions) if ins["instruction"] == "FROM"]
        return self.instructions[froms[-1] :]

    def final(self, instruction: str) -> list[str]:
        return [i["value"] for i in self.final_stage() if i["instruction"] == instruction]

    def everywhere(self, instruction: str) -> list[str]:
        return [i["value"] for i in self.instructions if i["instruction"] == instruction]

    def exec_form(self, instruction: str) -> list[str]:
        (value,) = self.final(instruction)
        parsed: list[str] = json.loads(value)
        return parsed

    def labels(self) -> dict[str, str]:
        labels: dict[str, str] = {}
        for value in self.final("LABEL"):
            for part in value.replace("\\\n", " ").split('" '):
                key, _, raw = part.strip().partition("=")
                labels[key] = raw.strip('"')
        return labels


def console_scripts(member: str) -> set[str]:
    project = tomllib.loads((ROOT / member / "pyproject.toml").read_text())["project"]
    return set(project.get("scripts", {}))


def package_name(member: str) -> str:
    name: str = tomllib.loads((ROOT / member / "pyproject.toml").read_text())["project"]["name"]
    return name
