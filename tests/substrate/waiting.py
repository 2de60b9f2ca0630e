"""Polling with a deadline, for tests that wait on something happening in another thread."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

DEFAULT_TIMEOUT = 5.0
DEFAULT_INTERVAL = 0.01


def wait_until(
    probe: Callable[[], T | None],
    *,
    within: float = DEFAULT_TIMEOUT,
    interval: float = DEFAULT_INTERVAL,
    what: str = "the condition",
) -> T:
    """Call ``probe`` until it returns something truthy and return that, for ``within`` s."""
    deadline = time.monotonic() + within
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise TimeoutError(f"Timed out after {within:.1f}s waiting for {what}.")
        time.sleep(interval)


async def eventually(
    probe: Callable[[], Awaitable[T | None]],
    *,
    within: float = DEFAULT_TIMEOUT,
    interval: float = DEFAULT_INTERVAL,
    what: str = "the condition",
) -> T:
    """Await ``probe`` until it returns something truthy and return that, for ``within`` s."""
    deadline = time.monotonic() + within
    while True:
        result = await probe()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise TimeoutError(f"Timed out after {within:.1f}s waiting for {what}.")
        await asyncio.sleep(interval)
