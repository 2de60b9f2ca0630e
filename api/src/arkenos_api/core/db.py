"""The database: declarative base, engine and session factory, and the migration check the app
runs before it serves anything."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: DateTime(timezone=True)}


def utcnow() -> datetime:
    return datetime.now(UTC)


class DatabaseNotMigratedError(RuntimeError):
    pass


#: A pooled connection that sat idle longer than this is pinged before it is handed out (a
#: restarted database, a failover or a proxy's idle timeout drops idle connections). One in
#: steady use is not: SQLAlchemy's ``pool_pre_ping`` pinged every checkout, and on asyncpg
#: its ping is three round trips (BEGIN, an empty query, ROLLBACK), three of the four an
#: event batch made. A connection that dies while in use fails its statement, and SQLAlchemy
#: then invalidates the pool (the connections opened before it) as after a failed ping.
IDLE_PING_SECONDS = 5.0
_IDLE_SINCE = "arkenos_idle_since"


def create_engine(
    url: str, pool_size: int = 10, *, pre_ping: bool = True, max_overflow: int | None = None
) -> AsyncEngine:
    """The engine; ``pre_ping`` pings connections idle longer than IDLE_PING_SECONDS."""
    # hide_parameters keeps SQLAlchemy's own "[parameters: ...]" out of a failed statement's
    # error, but asyncpg writes bound values into its own messages too: the app logs database
    # errors by class and SQLSTATE only (core/errors.py), never their text.
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size if max_overflow is None else max_overflow,
        hide_parameters=True,
    )
    if pre_ping:
        _ping_idle_connections(engine, IDLE_PING_SECONDS)
    return engine


def _ping_idle_connections(engine: AsyncEngine, idle_seconds: float) -> None:
    pool, dialect = engine.sync_engine.pool, engine.sync_engine.dialect

    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    def checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        # A new connection has no mark: it needs no ping.
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool replaces this connection (and the others opened before it) and retries.
            raise InvalidatePoolError("the idle connection's ping failed") from exc

    event.listen(pool, "checkin", checked_in)
    event.listen(pool, "checkout", checked_out)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would read a % in the password as a placeholder.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("")).get_current_head()


async def check_migrated(engine: AsyncEngine) -> None:
    """Refuse to run against a database whose schema is not at the latest migration."""
    async with engine.connect() as connection:
        current = await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
    head = head_revision()
    if current != head:
        raise DatabaseNotMigratedError(
            f"the database schema is at revision {current or 'none'} but this version of the "
            f"API needs {head}: run `arkenos-api migrate` first"
        )


def upgrade(url: str) -> None:
    """Apply every pending migration (blocking: call it from a thread in async code)."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")
