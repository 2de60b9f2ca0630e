"""The migrations build exactly the tables the models declare: a model change without its
migration (or a migration that drifted from the models) fails here, not in production."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from arkenos_api.core.models import Base

pytestmark = pytest.mark.postgres


#: Tables a library installs and owns (the job queue's), left out of the comparison.
LIBRARY_TABLE_PREFIXES = ("pgqueuer",)


def _ours(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
    table = name if type_ == "table" else parent_names.get("table_name")
    return not (table or "").startswith(LIBRARY_TABLE_PREFIXES)


def _differences(connection: Connection) -> list[Any]:
    opts = {"compare_type": True, "include_name": _ours}
    context = MigrationContext.configure(connection, opts=opts)
    return list(compare_metadata(context, Base.metadata))


async def test_migrations_match_the_models(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences)
    finally:
        await engine.dispose()
    assert differences == [], "run `alembic revision --autogenerate` and commit the migration"
