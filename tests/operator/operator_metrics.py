"""Reading the operator's own metrics in tests: how much state each part holds."""

from __future__ import annotations

import httpx


def state_entries(metrics_url: str) -> dict[str, float]:
    """``arkenos_operator_state_entries`` by feature (empty while the server is not up)."""
    entries: dict[str, float] = {}
    try:
        text = httpx.get(metrics_url).text
    except httpx.HTTPError:
        return entries  # not serving yet
    for line in text.splitlines():
        if line.startswith("arkenos_operator_state_entries{"):
            feature = line.split('feature="', 1)[1].split('"', 1)[0]
            entries[feature] = float(line.rsplit(" ", 1)[1])
    return entries
