"""Checks a file tree passes before it is deployed: Python parses, the entrypoint exists,
requirements.txt is a list of requirements pip understands and the platform allows.

Pure functions over the files' text, shared by the validate and deploy routes and by the
coding assistant's check of a proposed edit.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement

REQUIREMENTS = "requirements.txt"
#: pip options a bundle may carry per requirement: hashes pin what is installed.
_ALLOWED_OPTIONS = ("--hash=",)


@dataclass(frozen=True)
class CodeIssue:
    """One problem, for a person: where (file and line, when known) and what."""

    path: str
    line: int | None
    message: str


def syntax_issue(path: str, text: str) -> CodeIssue | None:
    """The first syntax error of a Python file, or None."""
    try:
        ast.parse(text, filename=path)
    except SyntaxError as exc:
        return CodeIssue(path, exc.lineno, f"syntax error: {exc.msg}")
    except ValueError as exc:  # e.g. a NUL byte in the source
        return CodeIssue(path, None, f"not valid Python source: {exc}")
    return None


def entrypoint_issue(files: Mapping[str, str], entrypoint: str) -> CodeIssue | None:
    """None when the entrypoint's module is one of the files."""
    module = entrypoint.partition(":")[0]
    base = module.replace(".", "/")
    candidates = (f"{base}.py", f"{base}/__init__.py")
    if any(candidate in files for candidate in candidates):
        return None
    return CodeIssue(
        candidates[0],
        None,
        f"the entrypoint {entrypoint!r} needs the module file {candidates[0]} "
        f"(or {candidates[1]}), which the agent does not have",
    )


def requirement_issues(text: str) -> list[CodeIssue]:
    """Each line of requirements.txt that pip would refuse or the platform does not allow."""
    issues = []
    for number, line in _logical_lines(text):
        spec, *options = line.split(" --")
        options = [f"--{option.strip()}" for option in options]
        spec = spec.strip()
        if spec.startswith("-"):
            issues.append(
                CodeIssue(
                    REQUIREMENTS,
                    number,
                    f"{spec.split()[0]!r}: pip options are set by the platform, not the bundle",
                )
            )
            continue
        refused = [o for o in options if not o.startswith(_ALLOWED_OPTIONS)]
        if refused:
            issues.append(
                CodeIssue(REQUIREMENTS, number, f"{refused[0]!r}: only --hash= may follow")
            )
            continue
        try:
            requirement = Requirement(spec)
        except InvalidRequirement as exc:
            issues.append(CodeIssue(REQUIREMENTS, number, f"not a requirement: {exc}"))
            continue
        if requirement.url is not None:
            issues.append(
                CodeIssue(
                    REQUIREMENTS,
                    number,
                    f"{requirement.name}: direct URLs are refused; name a package and version",
                )
            )
    return issues


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, text) of each requirement, comments dropped, continuations joined."""
    lines: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        content = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if pending is not None:
            start, head = pending
            content = f"{head} {content}".strip()
            number = start
            pending = None
        if content.endswith("\\"):
            pending = (number, content[:-1].strip())
            continue
        if content:
            lines.append((number, content))
    if pending is not None and pending[1]:
        lines.append(pending)
    return lines


SyntaxCheck = Callable[[str, str], "CodeIssue | None"]


def tree_issues(
    files: Mapping[str, str], entrypoint: str, check_syntax: SyntaxCheck = syntax_issue
) -> list[CodeIssue]:
    """Every problem that would stop a deploy, sorted by file and line. ``check_syntax`` may
    remember files it parsed before (by content digest)."""
    issues = [
        issue
        for path, text in files.items()
        if path.endswith(".py") and (issue := check_syntax(path, text)) is not None
    ]
    if (missing := entrypoint_issue(files, entrypoint)) is not None:
        issues.append(missing)
    if REQUIREMENTS in files:
        issues.extend(requirement_issues(files[REQUIREMENTS]))
    return sorted(issues, key=lambda issue: (issue.path, issue.line or 0))
