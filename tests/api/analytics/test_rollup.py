"""The analytics rollup against the sessions it sums: random calls around hour and day edges,
some ended later through finish_session, some repriced late through the cost route (late usage
and a new price override), then the rollup's rows and histograms equal a rebuild from the
sessions, and the analytics read through the rollup equal the aggregation over the sessions
alone (counts and sums exactly, percentiles within the stated relative error of the exact
percentile_disc), for ranges starting and ending at random instants in several time zones, and
through the endpoint."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select, text

from arkenos_api.analytics import histograms
from arkenos_api.analytics.rollup import REBUILD_SQL
from arkenos_api.analytics.schemas import GroupBy
from arkenos_api.analytics.service import analytics, raw_analytics
from arkenos_api.core.cache import BoundedCache
from arkenos_api.internal.identity import Workload
from arkenos_api.internal.models import CallSession, UsageEventRow
from arkenos_api.internal.service import store_events
from arkenos_api.sessions.lifecycle import finish_session
from arkenos_crds.runtime import EndReason, EventBatch, TurnMetric
from tests.api.helpers import Api, Person
from tests.api.sessions.factories import BASE, add_session, workspace_id

ZONES = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-3))]
ZONES.append(timezone(timedelta(hours=5, minutes=45)))
AGENTS = ["front-desk", "sales", "support"]
REASONS = ["CallerHungUp", "AgentEnded", "Lost"]


def _edge_instant(rng: random.Random) -> datetime:
    """Near an hour or a day boundary (either side), or anywhere within three days."""
    day = BASE.replace(hour=0) + timedelta(days=rng.randint(0, 2))
    if rng.random() < 0.6:
        edge = day + timedelta(hours=rng.choice([0, 1, 5, 18, 23, 24]))
        return edge + timedelta(seconds=rng.choice([-61, -1, 0, 1, 59, 3599]))
    return day + timedelta(seconds=rng.uniform(0, 86400))


def _cost(rng: random.Random) -> dict[str, Any] | None:
    roll = rng.random()
    if roll < 0.2:
        return {"status": "unpriced", "totalMicros": None}
    return {"status": "priced", "totalMicros": rng.randint(0, 90_000)}


async def _seed(api: Api, workspace: str, rng: random.Random) -> list[uuid.UUID]:
    live = []
    for _ in range(120):
        ended = rng.random() < 0.8
        turns = [
            {
                "turn": t,
                "end_to_end_ms": rng.randint(200, 2000),
                "stt_ms": rng.choice([None, rng.randint(50, 400)]),
                "llm_ms": rng.randint(100, 900),
                "tts_ms": rng.randint(30, 300),
            }
            for t in range(rng.randint(0, 3))
        ]
        session_id = await add_session(
            api,
            workspace,
            started_at=_edge_instant(rng),
            seconds=rng.randint(1, 1800) if ended else None,
            agent=rng.choice(AGENTS),
            status="Ended" if ended else "Active",
            end_reason=rng.choice(REASONS),
            cost=_cost(rng) if ended else None,
            turns=turns,
        )
        if not ended:
            live.append(session_id)
    return live


async def _end_some(api: Api, live: list[uuid.UUID], rng: random.Random) -> None:
    """Half of the live calls end the one way calls end (priced, counted in the rollup)."""
    for session_id in live[: len(live) // 2]:
        async with api.app.state.sessionmaker() as db:
            session = await db.get_one(CallSession, session_id, with_for_update=True)
            ended_at = session.started_at + timedelta(seconds=rng.randint(5, 900))
            assert await finish_session(
                db_session=db, session=session, ended_at=ended_at, reason=EndReason.AGENT_ENDED
            )
            await db.commit()


async def _late_turns(api: Api, ws: uuid.UUID, rng: random.Random) -> int:
    """Turns stored through the worker's batch after their session ended (counted by the
    batch), some twice (a retry, counted once), and some for calls still live (counted at
    their end)."""
    worker = Workload("system:serviceaccount:arkenos-system:arkenos-worker", "arkenos", None)
    async with api.app.state.sessionmaker() as db:
        ids = list(await db.scalars(select(CallSession.id).where(CallSession.workspace_id == ws)))
    stored = 0
    for session_id in rng.sample(ids, 40):
        turns = [
            TurnMetric(
                seq=700 + t,
                turn=50 + t,
                end_to_end_ms=rng.randint(0, 5000),
                stt_ms=rng.choice([None, rng.randint(0, 500)]),
                llm_ms=rng.randint(1, 900),
                tts_ms=rng.randint(1, 300),
                at=BASE,
            )
            for t in range(rng.randint(1, 4))
        ]
        for _ in range(rng.choice([1, 2])):
            accepted = await store_events(
                sessionmaker=api.app.state.sessionmaker,
                owners=BoundedCache(10),
                workload=worker,
                session_id=session_id,
                batch=EventBatch(turns=turns),
            )
            stored += accepted.stored
    return stored


async def _reprice_some(
    api: Api, admin: Person, workspace: str, ws: uuid.UUID, rng: random.Random
) -> int:
    """Late usage (one priced model, one unpriced) on some ended calls, then an override, and
    the cost route recomputes them: their costs change after the rollup first counted them."""
    async with api.app.state.sessionmaker() as db:
        ended = list(
            await db.scalars(
                select(CallSession.id).where(
                    CallSession.workspace_id == ws, CallSession.ended_at.is_not(None)
                )
            )
        )
        chosen = rng.sample(ended, 30)
        for index, session_id in enumerate(chosen):
            model = "gpt-4o-mini" if index % 3 else "no-such-model"
            db.add(
                UsageEventRow(
                    session_id=session_id,
                    seq=1000,
                    provider="openai",
                    model=model,
                    metric="llm_input_tokens",
                    quantity=rng.randint(1, 5_000_000),
                    at=BASE,
                )
            )
        await db.commit()
    override = {"item": "livekit/room/participant_ms", "micros": 7, "per": 1000}
    response = await admin.put(
        f"/api/v1/workspaces/{workspace}/pricing/overrides", json={"overrides": [override]}
    )
    assert response.status_code == 204, response.text
    for session_id in chosen:
        response = await admin.post(f"/api/v1/workspaces/{workspace}/sessions/{session_id}/cost")
        assert response.status_code == 200, response.text
    return len(chosen)


async def _rollup_rows(api: Api, ws: uuid.UUID) -> set[tuple[Any, ...]]:
    async with api.app.state.sessionmaker() as db:
        rows = await db.execute(
            text(
                "SELECT agent, hour, end_reason, calls, total_ms, cost_micros, unpriced_calls"
                " FROM analytics_rollup WHERE workspace_id = :ws"
            ),
            {"ws": ws},
        )
        return {tuple(row) for row in rows}


async def _rebuilt_rows(api: Api, ws: uuid.UUID) -> set[tuple[Any, ...]]:
    """The rollup recomputed from the sessions, in a transaction that is rolled back."""
    async with api.app.state.sessionmaker() as db:
        connection = await db.connection()
        driver: Any = (await connection.get_raw_connection()).driver_connection
        await driver.execute("DELETE FROM analytics_rollup WHERE workspace_id = $1", ws)
        await driver.execute(REBUILD_SQL, ws)
        rows = await driver.fetch(
            "SELECT agent, hour, end_reason, calls, total_ms, cost_micros, unpriced_calls"
            " FROM analytics_rollup WHERE workspace_id = $1",
            ws,
        )
        await db.rollback()
    return {tuple(row) for row in rows}


HISTOGRAM_ROWS = (
    "SELECT hours, period_start, agent, metric, bucket, count FROM analytics_histograms"
    " WHERE workspace_id = $1"
)


async def _histogram_rows(api: Api, ws: uuid.UUID, *, rebuilt: bool) -> set[tuple[Any, ...]]:
    """The maintained histograms, or (rebuilt) those recomputed from the sessions and turns in
    a transaction that is rolled back."""
    async with api.app.state.sessionmaker() as db:
        connection = await db.connection()
        driver: Any = (await connection.get_raw_connection()).driver_connection
        if rebuilt:
            await driver.execute("DELETE FROM analytics_histograms WHERE workspace_id = $1", ws)
            await driver.execute(histograms.REBUILD_SQL, ws)
        rows = await driver.fetch(HISTOGRAM_ROWS, ws)
        await db.rollback()
    return {tuple(row) for row in rows}


def _assert_close(answer: Any, exact: Any, where: str, error: float) -> int:
    """``answer`` equals ``exact`` except the percentiles (under durationMs and latencyMs),
    which are within ``error`` of the exact ones (both None when there are no values).
    Returns how many percentiles were compared."""
    if isinstance(exact, dict):
        assert isinstance(answer, dict), where
        assert answer.keys() == exact.keys(), where
        return sum(_assert_close(answer[key], exact[key], f"{where}.{key}", error) for key in exact)
    if isinstance(exact, list):
        assert isinstance(answer, list), where
        assert len(answer) == len(exact), where
        return sum(
            _assert_close(a, e, f"{where}[{i}]", error)
            for i, (a, e) in enumerate(zip(answer, exact, strict=True))
        )
    if ".durationMs." in where or ".latencyMs." in where:
        if exact is None:
            assert answer is None, where
            return 0
        assert answer is not None, where
        assert abs(answer - exact) <= error * exact, (where, answer, exact)
        return 1
    assert answer == exact, (where, answer, exact)
    return 0


async def test_the_rollup_equals_the_sessions_it_sums(api: Api, owner: tuple[Person, str]) -> None:
    admin, workspace = owner
    rng = random.Random(20261202)
    ws = await workspace_id(api, workspace)
    live = await _seed(api, workspace, rng)
    assert len(live) >= 10
    assert await _late_turns(api, ws, rng) > 40
    await _end_some(api, live, rng)
    before = await _rollup_rows(api, ws)
    assert await _reprice_some(api, admin, workspace, ws, rng) == 30
    after = await _rollup_rows(api, ws)
    assert after != before, "the late costs changed no rollup row: the test proves nothing"
    assert after == await _rebuilt_rows(api, ws)
    kept = await _histogram_rows(api, ws, rebuilt=False)
    assert kept, "no histogram rows: the test proves nothing"
    assert kept == await _histogram_rows(api, ws, rebuilt=True)

    ranges = [(BASE - timedelta(days=2), BASE + timedelta(days=5))]  # everything
    for _ in range(40):
        start, end = sorted([_edge_instant(rng), _edge_instant(rng)])
        if start == end:
            continue
        zone = rng.choice(ZONES)
        ranges.append((start.astimezone(zone), end.astimezone(zone)))
    whole_hours = BASE.replace(minute=0, second=0)
    ranges.append((whole_hours, whole_hours + timedelta(days=1)))
    ranges.append((whole_hours + timedelta(minutes=10), whole_hours + timedelta(minutes=50)))
    checked_calls = checked_percentiles = 0
    error = histograms.RELATIVE_ERROR
    assert error == 0.05
    async with api.app.state.sessionmaker() as db:
        for start, end in ranges:
            for group_by in GroupBy:
                for agent in (None, rng.choice(AGENTS)):
                    args: dict[str, Any] = {
                        "db_session": db,
                        "workspace_id": ws,
                        "started_from": start,
                        "started_to": end,
                        "agent": agent,
                        "group_by": group_by,
                    }
                    expected = await raw_analytics(**args)
                    answer = await analytics(**args)
                    assert answer.percentile_relative_error == error
                    assert expected.percentile_relative_error == 0
                    answer.percentile_relative_error = 0
                    checked_percentiles += _assert_close(
                        answer.model_dump(mode="json", by_alias=True),
                        expected.model_dump(mode="json", by_alias=True),
                        f"{start}..{end} {group_by} {agent}",
                        error,
                    )
                    checked_calls += expected.totals.calls
    assert checked_calls > 1000
    assert checked_percentiles > 1000

    # The endpoint answers what the sessions alone say, in its JSON shape.
    start, end = ranges[0]
    async with api.app.state.sessionmaker() as db:
        expected = await raw_analytics(
            db_session=db,
            workspace_id=ws,
            started_from=start,
            started_to=end,
            agent=None,
            group_by=GroupBy.AGENT,
        )
    response = await admin.get(
        f"/api/v1/workspaces/{workspace}/analytics",
        params={"from": start.isoformat(), "to": end.isoformat(), "groupBy": "agent"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["percentileRelativeError"] == error
    body["percentileRelativeError"] = 0
    assert _assert_close(body, expected.model_dump(mode="json", by_alias=True), "api", error)
    assert expected.totals.calls == 120
