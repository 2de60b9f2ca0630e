"""INTERIM until tests/substrate lands on main: a fresh database on a local PostgreSQL
(ARKENOS_INTERIM_PG, default 127.0.0.1:55432) and an ASGI server on a free port."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import uvicorn

BASE = os.environ.get("ARKENOS_INTERIM_PG", "postgres@127.0.0.1:55432")


async def fresh_database() -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(f"postgresql://{BASE}/postgres")
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return f"postgresql+asyncpg://{BASE}/{name}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def serve_asgi(app: object) -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))  # type: ignore[arg-type]
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
