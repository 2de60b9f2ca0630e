"""The call log's filters and cursor, turned into SQL conditions on ``sessions``."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, any_, func, or_, select, tuple_

from arkenos_api.core.errors import ApiError
from arkenos_api.internal.models import CallSession, TranscriptSegmentRow


@dataclass(frozen=True)
class SessionFilters:
    agent: str | None = None
    direction: str | None = None
    status: str | None = None
    end_reason: str | None = None
    phone_number: str | None = None
    started_from: datetime | None = None
    started_to: datetime | None = None
    min_duration_ms: int | None = None
    text: str | None = None

    def conditions(
        self, workspace_id: uuid.UUID, *, with_text: bool = True
    ) -> list[ColumnElement[bool]]:
        """The filters as conditions; without the text search when ``with_text`` is false
        (the search's walk checks it per session instead: sessions/search.py)."""
        where: list[ColumnElement[bool]] = [CallSession.workspace_id == workspace_id]
        equal: list[tuple[Any, str | None]] = [
            (CallSession.agent, self.agent),
            (CallSession.direction, self.direction),
            (CallSession.status, self.status),
            (CallSession.end_reason, self.end_reason),
        ]
        where += [column == value for column, value in equal if value is not None]
        if self.phone_number:
            number = self.phone_number
            where.append(
                or_(
                    CallSession.phone_number == number,
                    CallSession.caller == number,
                    CallSession.callee == number,
                )
            )
        if self.started_from:
            where.append(CallSession.started_at >= self.started_from)
        if self.started_to:
            where.append(CallSession.started_at < self.started_to)
        if self.min_duration_ms is not None:
            where.append(CallSession.duration_ms >= self.min_duration_ms)
        if self.text and with_text:
            where.append(self.gathered_text())
        return where

    def gathered_text(self) -> ColumnElement[bool]:
        """The text search as the gather plan (sessions/search.py, for rare words).

        websearch syntax: words, "quoted phrases", OR, -excluded; never a syntax error. A
        session matches when one of its utterances (segments) matches the query. The matching
        sessions' ids are gathered once (ARRAY(subquery): an InitPlan over the segments' GIN
        index), then looked up by key and ordered: planned that way whatever the words, also
        in a generic plan of the prepared statement, where an IN (subquery) was planned as a
        walk of the newest sessions probing each one's segments (seconds for a rare word)."""
        query = func.websearch_to_tsquery("simple", self.text or "")
        matching = select(TranscriptSegmentRow.session_id).where(
            TranscriptSegmentRow.search.op("@@")(query)
        )
        return CallSession.id == any_(func.array(matching.scalar_subquery()))


def encode_cursor(started_at: datetime, session_id: uuid.UUID) -> str:
    raw = f"{started_at.isoformat()}|{session_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        started, _, session_id = base64.urlsafe_b64decode(padded).decode().partition("|")
        return datetime.fromisoformat(started), uuid.UUID(session_id)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(
            422, "invalid_cursor", "the cursor is not one this API gave out", "cursor"
        ) from exc


def after_cursor(cursor: str | None) -> list[ColumnElement[bool]]:
    """Rows older than the cursor in (started_at, id) order, newest first."""
    if cursor is None:
        return []
    started_at, session_id = decode_cursor(cursor)
    return [tuple_(CallSession.started_at, CallSession.id) < tuple_(started_at, session_id)]


def combine(conditions: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    return and_(*conditions)
