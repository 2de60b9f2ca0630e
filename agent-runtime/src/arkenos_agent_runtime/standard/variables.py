"""Per-call variables substituted into instructions and greetings as ``{{name}}``."""

from __future__ import annotations

import re

from arkenos_crds.runtime import DispatchMetadata, RuntimeConfig

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def call_variables(
    config: RuntimeConfig, metadata: DispatchMetadata, caller_number: str | None
) -> dict[str, str]:
    """Pre-call data first, then the platform's own names, which pre-call data cannot override."""
    return {
        **metadata.variables,
        "agent_name": config.spec.display_name or config.agent,
        "caller_number": caller_number or "unknown",
    }


def substitute(template: str, variables: dict[str, str]) -> str:
    """Replace known ``{{name}}`` placeholders; unknown ones stay as written."""
    return PLACEHOLDER.sub(lambda m: variables.get(m.group(1), m.group(0)), template)
