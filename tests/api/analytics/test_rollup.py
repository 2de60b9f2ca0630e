"""The analytics rollup against the sessions it sums: random calls around hour and day edges,
some ended later through finish_session, some repriced late through the cost route (late usage
and a new price override), then the rollup's rows and histograms equal a rebuild from the
sessions, and the analytics read through the rollup equal the aggregation over the sessions
alone (counts, sums, least and greatest values exactly; percentiles within the stated relative
error of the exact percentile_disc, never outside [min, max], and equal to it where flagged
exact), for ranges starting and ending at random instants in several time zones, and through
the endpoint. One call, and identical calls, answer their exact duration."""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass
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
    "SELECT hours, period_start, agent, metric, bucket, count, min_value, max_value"
    " FROM analytics_histograms WHERE workspace_id = $1"
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


PERCENTILES = re.compile(r"\.(durationMs|latencyMs\.\w+)$")


@dataclass
class Checked:
    percentiles: int = 0
    flagged_exact: int = 0
    approximate: int = 0


def _assert_percentiles(
    answer: dict[str, Any], exact: dict[str, Any], where: str, error: float, checked: Checked
) -> None:
    """min and max equal; each percentile within ``error`` of the exact one and inside
    [min, max], and equal to it when the answer says it is exact."""
    assert answer.keys() == exact.keys(), where
    assert exact["exact"] is True, where
    assert (answer["min"], answer["max"]) == (exact["min"], exact["max"]), where
    low, high = exact["min"], exact["max"]
    for key in sorted(exact.keys() - {"min", "max", "exact"}):
        want, got = exact[key], answer[key]
        if want is None:
            assert got is None, (where, key)
            assert low is None, (where, key)
            continue
        assert got is not None, (where, key)
        assert abs(got - want) <= error * want, (where, key, got, want)
        assert low <= got <= high, (where, key, got, low, high)
        if answer["exact"]:
            assert got == want, (where, key, got, want)
        checked.percentiles += 1
    if low is not None:
        if answer["exact"]:
            checked.flagged_exact += 1
        else:
            checked.approximate += 1


def _assert_close(answer: Any, exact: Any, where: str, error: float, checked: Checked) -> None:
    """``answer`` equals ``exact`` except the percentiles (under durationMs and latencyMs),
    checked by _assert_percentiles."""
    if isinstance(exact, dict):
        assert isinstance(answer, dict), where
        if PERCENTILES.search(where):
            _assert_percentiles(answer, exact, where, error, checked)
            return
        assert answer.keys() == exact.keys(), where
        for key in exact:
            _assert_close(answer[key], exact[key], f"{where}.{key}", error, checked)
        return
    if isinstance(exact, list):
        assert isinstance(answer, list), where
        assert len(answer) == len(exact), where
        for i, (a, e) in enumerate(zip(answer, exact, strict=True)):
            _assert_close(a, e, f"{where}[{i}]", error, checked)
        return
    assert answer == exact, (where, answer, exact)


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
    checked_calls = 0
    checked = Checked()
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
                    _assert_close(
                        answer.model_dump(mode="json", by_alias=True),
                        expected.model_dump(mode="json", by_alias=True),
                        f"{start}..{end} {group_by} {agent}",
                        error,
                        checked,
                    )
                    checked_calls += expected.totals.calls
    assert checked_calls > 1000
    assert checked.percentiles > 1000
    # Both kinds were seen: flagged exact (checked equal) and approximate (checked within).
    assert checked.flagged_exact > 100
    assert checked.approximate > 100

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
    from_api = Checked()
    _assert_close(body, expected.model_dump(mode="json", by_alias=True), "api", error, from_api)
    assert from_api.percentiles
    assert expected.totals.calls == 120


async def test_one_call_and_identical_calls_answer_their_exact_duration(
    api: Api, owner: tuple[Person, str]
) -> None:
    """One call of 1:35 is a median of 1:35, not its bucket's middle (1:33), whether the
    range's hours are read from the rollup or from the sessions; three identical calls too."""
    admin, workspace = owner
    url = f"/api/v1/workspaces/{workspace}/analytics"
    started = BASE.replace(minute=20, second=0)
    await add_session(
        api, workspace, started_at=started, seconds=95, turns=[{"turn": 1, "end_to_end_ms": 934}]
    )
    assert histograms.representative(histograms.bucket(95_000)) != 95_000  # else proves nothing
    whole_day = (BASE.replace(hour=0, minute=0), BASE.replace(hour=0, minute=0) + timedelta(days=1))
    edges_only = (started - timedelta(minutes=5), started + timedelta(minutes=5))
    for start, end in (whole_day, edges_only):
        for group_by in ("day", "agent"):
            params = {"from": start.isoformat(), "to": end.isoformat(), "groupBy": group_by}
            body = (await admin.get(url, params=params)).json()
            durations = body["totals"]["durationMs"]
            assert durations == {
                "p50": 95_000,
                "p90": 95_000,
                "p95": 95_000,
                "p99": 95_000,
                "min": 95_000,
                "max": 95_000,
                "exact": True,
            }, (start, group_by)
            assert body["groups"][0]["durationMs"] == durations
            assert body["latencyMs"]["endToEnd"] == {
                "p50": 934,
                "p95": 934,
                "min": 934,
                "max": 934,
                "exact": True,
            }
    for minute in (1, 2):
        await add_session(
            api, workspace, started_at=started + timedelta(minutes=minute), seconds=95
        )
    params = {"from": whole_day[0].isoformat(), "to": whole_day[1].isoformat()}
    durations = (await admin.get(url, params=params)).json()["totals"]["durationMs"]
    assert durations["p50"] == 95_000
    assert durations["exact"] is True
    # 91 s joins them in their bucket: the median (rank 2 of 4) is between two different
    # values of one bucket, answered approximately and said so, inside [91 s, 95 s].
    assert histograms.bucket(91_000) == histograms.bucket(95_000)
    await add_session(api, workspace, started_at=started + timedelta(minutes=3), seconds=91)
    durations = (await admin.get(url, params=params)).json()["totals"]["durationMs"]
    assert durations["exact"] is False
    assert (durations["min"], durations["max"], durations["p99"]) == (91_000, 95_000, 95_000)
    assert 91_000 <= durations["p50"] <= 95_000
