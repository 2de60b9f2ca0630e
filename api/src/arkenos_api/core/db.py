"""The database: declarative base, engine and session factory, and the migration check the app
runs before it serves anything."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import DateTime, MetaData
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


def create_engine(
    url: str, pool_size: int = 10, *, pre_ping: bool = True, max_overflow: int | None = None
) -> AsyncEngine:
    # hide_parameters keeps SQLAlchemy's own "[parameters: ...]" out of a failed statement's
    # error, but asyncpg writes bound values into its own messages too: the app logs database
    # errors by class and SQLSTATE only (core/errors.py), never their text.
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size if max_overflow is None else max_overflow,
        pool_pre_ping=pre_ping,
        hide_parameters=True,
    )


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
