"""Export a filtered call log as CSV or JSON Lines, streamed a page at a time."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from enum import StrEnum

from arkenos_api.sessions.schemas import SessionSummary

CSV_COLUMNS = [info.alias or name for name, info in SessionSummary.model_fields.items()]


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


MEDIA_TYPES = {ExportFormat.CSV: "text/csv", ExportFormat.JSONL: "application/jsonl"}


def _csv_rows(rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


async def render(
    pages: AsyncIterator[list[SessionSummary]], export_format: ExportFormat
) -> AsyncIterator[str]:
    if export_format is ExportFormat.CSV:
        yield _csv_rows([list(CSV_COLUMNS)])
    async for page in pages:
        if export_format is ExportFormat.JSONL:
            yield "".join(item.model_dump_json(by_alias=True) + "\n" for item in page)
        else:
            wire = [item.model_dump(by_alias=True, mode="json") for item in page]
            yield _csv_rows(
                [[row[c] if row[c] is not None else "" for c in CSV_COLUMNS] for row in wire]
            )
