"""The event loops a worker process runs on: uvloop, for the worker's own loop and for each
call's.

livekit-agents runs each call (job) in a thread of its own with an event loop it makes with
``asyncio.new_event_loop()``, which asks the event loop policy; so the policy is set, once,
in the entry point, before anything makes a loop. A call's loop is woken for every audio
frame and FFI event of its call, and uvloop's scheduling and sockets are C.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import uvloop


def run_worker(main: Coroutine[Any, Any, None]) -> None:
    """``asyncio.run(main)`` with every loop of the process (the calls' too) on uvloop."""
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    asyncio.run(main)
