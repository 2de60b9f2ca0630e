"""The messages the assistant model gets: the contract, the agent's files (within a budget),
the conversation so far and the new question. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from arkenos_api.code.assistant.contract import CONTRACT

#: Characters of file content sent at most; beyond it files are listed by name only.
FILES_BUDGET = 120_000
HISTORY_LIMIT = 20


@dataclass(frozen=True)
class Turn:
    role: str  # "user" or "assistant"
    content: str


def files_section(files: Mapping[str, str]) -> str:
    parts, used, left_out = [], 0, []
    for path in sorted(files):
        text = files[path]
        if used + len(text) > FILES_BUDGET:
            left_out.append(path)
            continue
        used += len(text)
        parts.append(f"=== {path} ===\n{text}")
    if left_out:
        parts.append("Files not shown (too large for this conversation): " + ", ".join(left_out))
    return "The agent's files now:\n\n" + ("\n\n".join(parts) if parts else "(none)")


def build_messages(
    files: Mapping[str, str], history: Sequence[Turn], question: str
) -> list[dict[str, str]]:
    messages = [
        {"role": "system", "content": CONTRACT},
        {"role": "system", "content": files_section(files)},
    ]
    messages += [{"role": t.role, "content": t.content} for t in history[-HISTORY_LIMIT:]]
    messages.append({"role": "user", "content": question})
    return messages
