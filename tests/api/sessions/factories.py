"""Sessions written straight into the database, as workers and webhooks would have left them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from arkenos_api.analytics import rollup
from arkenos_api.internal.models import (
    CallSession,
    ToolCallRow,
    TranscriptSegmentRow,
    TurnMetricRow,
    UsageEventRow,
)
from arkenos_api.workspaces.models import Workspace
from tests.api.helpers import Api

BASE = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


async def workspace_id(api: Api, namespace: str) -> uuid.UUID:
    async with api.app.state.sessionmaker() as db:
        found = await db.scalar(select(Workspace.id).where(Workspace.namespace == namespace))
    assert found is not None
    return found


async def add_session(
    api: Api,
    namespace: str,
    *,
    started_at: datetime = BASE,
    seconds: int | None = 60,
    agent: str = "front-desk",
    direction: str = "Web",
    status: str = "Ended",
    end_reason: str | None = "CallerHungUp",
    phone_number: str | None = None,
    caller: str | None = None,
    callee: str | None = None,
    transcript: list[tuple[str, str]] = (),  # type: ignore[assignment]
    turns: list[dict[str, Any]] = (),  # type: ignore[assignment]
    usage: list[tuple[str, str, str, int]] = (),  # type: ignore[assignment]
    tool_calls: list[dict[str, Any]] = (),  # type: ignore[assignment]
    cost: dict[str, Any] | None = None,
) -> uuid.UUID:
    ws = await workspace_id(api, namespace)
    session_id = uuid.uuid4()
    ended = started_at + timedelta(seconds=seconds) if seconds is not None else None
    async with api.app.state.sessionmaker() as db:
        session = CallSession(
            id=session_id,
            workspace_id=ws,
            agent=agent,
            job_id=f"AJ_{session_id.hex}",
            room=f"room-{session_id.hex}",
            direction=direction,
            caller=caller,
            callee=callee,
            phone_number=phone_number,
            served_by="system:serviceaccount:arkenos-system:arkenos-worker",
            dispatched_at=started_at,
            started_at=started_at,
            ended_at=ended,
            end_reason=end_reason if ended else None,
            status=status,
            cost=cost,
            cost_micros=(cost or {}).get("totalMicros"),
        )
        db.add(session)
        await db.flush()
        for seq, (role, text) in enumerate(transcript):
            at = started_at + timedelta(seconds=seq)
            db.add(
                TranscriptSegmentRow(
                    session_id=session_id, seq=seq, role=role, text=text, started_at=at, ended_at=at
                )
            )
        for seq, turn in enumerate(turns):
            db.add(TurnMetricRow(session_id=session_id, seq=seq, at=started_at, **turn))
        for seq, (provider, model, metric, quantity) in enumerate(usage):
            db.add(
                UsageEventRow(
                    session_id=session_id,
                    seq=seq,
                    provider=provider,
                    model=model,
                    metric=metric,
                    quantity=quantity,
                    at=started_at,
                )
            )
        for seq, call in enumerate(tool_calls):
            db.add(ToolCallRow(session_id=session_id, seq=seq, at=started_at, **call))
        if ended is not None:
            # An ended session is in the analytics rollup (its turns in the histograms), as
            # finish_session leaves it.
            await db.flush()
            await db.refresh(session, ["duration_ms"])
            await rollup.add_ended(db, session)
        await db.commit()
    return session_id
