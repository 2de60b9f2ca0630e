"""Reading a worker's active sessions from its Prometheus metrics endpoint."""

from __future__ import annotations

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

ACTIVE_SESSIONS = "arkenos_worker_active_sessions"


def parse_active_sessions(text: str) -> int | None:
    """The sum of the active-sessions gauge, or None when the text does not carry it."""
    total: float | None = None
    for family in text_string_to_metric_families(text):
        if family.name != ACTIVE_SESSIONS:
            continue
        for sample in family.samples:
            if sample.name == ACTIVE_SESSIONS:
                total = (total or 0.0) + sample.value
    return None if total is None else max(0, round(total))


async def scrape_active_sessions(
    session: aiohttp.ClientSession, url: str, timeout_seconds: float
) -> int | None:
    """Active sessions a worker reports, or None when it cannot be read (counted as busy).

    Unreadable covers refused connections, timeouts, non-200 answers and text that is not
    Prometheus exposition format or lacks the gauge: all mean "we do not know".
    """
    try:
        async with session.get(
            url, timeout=aiohttp.ClientTimeout(total=timeout_seconds)
        ) as response:
            if response.status != 200:
                return None
            text = await response.text()
    except (aiohttp.ClientError, TimeoutError):
        return None
    try:
        return parse_active_sessions(text)
    except ValueError:
        return None
