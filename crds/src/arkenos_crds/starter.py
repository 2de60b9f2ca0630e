"""The starter custom agent: the files a new custom agent begins with in the dashboard.

They are part of the contract between the platform and custom agent code, so they live with
the resource model: the API scaffolds from them, and the runtime's tests run them.
"""

from __future__ import annotations

from pathlib import Path

STARTER_DIR = Path(__file__).resolve().parent / "starter_template"
#: The entrypoint the starter's files provide (the CustomSpec default).
STARTER_ENTRYPOINT = "agent"


def starter_files() -> dict[str, str]:
    """path → text of every starter file."""
    return {
        path.relative_to(STARTER_DIR).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(STARTER_DIR.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def blank_files() -> dict[str, str]:
    """The least a custom agent needs: an entrypoint module with an empty entrypoint."""
    return {
        "agent.py": (
            '"""A custom Arkenos voice agent."""\n\n'
            "from arkenos_agent_runtime.custom import AgentContext\n\n\n"
            "async def entrypoint(ctx: AgentContext) -> None:\n"
            "    session = ctx.build_session()\n"
            "    raise NotImplementedError('write your agent here')\n"
        ),
        "requirements.txt": "",
    }
