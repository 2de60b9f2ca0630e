"""Checking a proposed edit before it is offered and again before it is applied: the path is
allowed, the edit was made against the file as it is now, and Python still parses."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from arkenos_api.code.checks import REQUIREMENTS, requirement_issues, syntax_issue
from arkenos_api.code.models import Manifest
from arkenos_api.code.paths import path_problem


@dataclass(frozen=True)
class ProposedEdit:
    path: str
    content: str | None  # None: delete the file
    summary: str
    #: sha256 of the file the assistant saw (None: it did not exist).
    base_sha256: str | None


def parse_tool_call(arguments: str, seen: Manifest) -> ProposedEdit | str:
    """The edit a ``propose_edit`` call describes, or why it cannot be read."""
    try:
        raw: Any = json.loads(arguments or "{}")
    except ValueError:
        return "the proposal's arguments are not JSON"
    if not isinstance(raw, dict) or not isinstance(raw.get("path"), str):
        return "the proposal names no path"
    path = raw["path"].removeprefix("./")
    delete = raw.get("delete") is True
    content = raw.get("content")
    if not delete and not isinstance(content, str):
        return f"the proposal for {path} has no content"
    summary = raw.get("summary")
    summary_text = summary[:500] if isinstance(summary, str) else ""
    base = (seen.get(path) or {}).get("sha256")
    return ProposedEdit(path, None if delete else content, summary_text, base)


def problems(edit: ProposedEdit, current: Manifest) -> list[str]:
    """Why ``edit`` cannot be applied to the tree ``current`` (empty: it can)."""
    found = []
    if (problem := path_problem(edit.path)) is not None:
        return [f"path {edit.path!r} is not allowed: {problem}"]
    now = (current.get(edit.path) or {}).get("sha256")
    if now != edit.base_sha256:
        found.append(
            f"{edit.path} changed since the assistant read it: ask again for an edit of the "
            "current version"
        )
    if edit.content is None:
        if now is None:
            found.append(f"{edit.path} does not exist, so it cannot be deleted")
        return found
    if edit.path.endswith(".py") and (issue := syntax_issue(edit.path, edit.content)):
        found.append(f"{edit.path} line {issue.line}: {issue.message}")
    if edit.path == REQUIREMENTS:
        found.extend(f"line {i.line}: {i.message}" for i in requirement_issues(edit.content))
    if "\x00" in edit.content:
        found.append(f"{edit.path}: binary content is not supported")
    return found
