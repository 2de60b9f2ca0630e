"""The jobs' hot paths on the asyncpg connection itself.

Each job is a few fixed statements run thousands of times in a burst: through the ORM (a
session, its unit of work, identity map and per-statement compile and cache-key work) they
cost more CPU than the database did. The handlers take a connection from the same engine's
pool and run these statements on asyncpg, which prepares each once per connection; the
connections carry SQLAlchemy's JSON codecs (a JSON parameter is passed as its text, a JSON
column comes back decoded)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import asyncpg
from pgqueuer.adapters.drivers.asyncpg import AsyncpgDriver
from pgqueuer.adapters.persistence.queries import Queries
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.util import greenlet_spawn

from arkenos_api.jobs.queue import PRIORITY, Entrypoint


def engine_of(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncEngine:
    bind = sessionmaker.kw.get("bind")
    if not isinstance(bind, AsyncEngine):
        raise TypeError("the jobs' sessionmaker is bound to one engine")
    return bind


@asynccontextmanager
async def connection(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[asyncpg.Connection]:
    """A pooled connection of the sessionmaker's engine, as asyncpg's own (autocommit until
    the caller opens a transaction on it). Taken from the pool itself: an engine
    ``Connection`` around it was more setup per job than the job's own statements. One the
    block raised in is discarded, not pooled (it may be broken or mid-transaction)."""
    pooled = await engine_of(sessionmaker).raw_connection()
    try:
        driver = pooled.driver_connection
        if not isinstance(driver, asyncpg.Connection):
            raise TypeError("the jobs run on asyncpg")
        yield driver
    except BaseException:
        pooled.invalidate()
        raise
    finally:
        await greenlet_spawn(pooled.close)  # back to the pool (the pool's reset is sync)
        # A task waiting for a connection was woken for this one; let it take it before this
        # task, running on, asks for another: the pool's asyncio.Queue hands it to whoever
        # asks first and sends the woken waiter to the back, so under a full pool a task that
        # took connections back to back starved others for seconds (an AsyncSession's close
        # runs in a task of its own, which yields here the same way).
        await asyncio.sleep(0)


async def enqueue_on(
    conn: asyncpg.Connection,
    entrypoint: Entrypoint,
    payloads: list[dict[str, Any]],
    *,
    delay: timedelta | None = None,
) -> None:
    """Enqueue one job per payload on ``conn`` (in its transaction, if one is open)."""
    if not payloads:
        return
    await Queries(AsyncpgDriver(conn)).enqueue(
        [entrypoint.value] * len(payloads),
        [json.dumps(payload).encode() for payload in payloads],
        [PRIORITY.get(entrypoint, 0)] * len(payloads),
        [delay] * len(payloads),
    )
