"""Analytics over a range: calls, minutes, cost (priced calls only, unpriced counted apart),
duration percentiles, end reasons and per-stage latency percentiles, by day and by agent."""

from __future__ import annotations

from datetime import timedelta

from tests.api.helpers import Api, Person
from tests.api.sessions.factories import BASE, add_session


def _near(answer: dict[str, int | None], exact: dict[str, int]) -> bool:
    """Percentiles within the stated 5 % of the exact ones (histogram buckets)."""
    return answer.keys() >= exact.keys() and all(
        (value := answer[key]) is not None and abs(value - want) <= 0.05 * want
        for key, want in exact.items()
    )


def _turn(e2e: int) -> dict[str, int]:
    return {
        "turn": 1,
        "end_to_end_ms": e2e,
        "stt_ms": e2e // 4,
        "llm_ms": e2e // 2,
        "tts_ms": e2e // 8,
    }


async def test_figures_by_day_and_by_agent(api: Api, owner: tuple[Person, str]) -> None:
    admin, workspace = owner
    priced = {"status": "priced", "totalMicros": 1000}
    await add_session(api, workspace, seconds=60, cost=priced, turns=[_turn(800), _turn(1200)])
    await add_session(api, workspace, seconds=120, cost=priced, agent="sales", turns=[_turn(400)])
    await add_session(
        api,
        workspace,
        started_at=BASE + timedelta(days=1),
        seconds=180,
        end_reason="Lost",
        cost={"status": "unpriced", "totalMicros": None},
    )
    await add_session(api, workspace, started_at=BASE + timedelta(days=40), seconds=600)  # outside

    url = f"/api/v1/workspaces/{workspace}/analytics"
    window = {"from": BASE.isoformat(), "to": (BASE + timedelta(days=30)).isoformat()}
    by_day = await admin.get(url, params={**window, "groupBy": "day"})
    assert by_day.status_code == 200, by_day.text
    body = by_day.json()
    totals = body["totals"]
    assert totals["calls"] == 3
    assert totals["totalDurationMs"] == 360_000
    assert totals["minutes"] == 6
    assert totals["costMicros"] == 2000
    assert totals["unpricedCalls"] == 1
    assert body["percentileRelativeError"] == 0.05
    assert _near(totals["durationMs"], {"p50": 120_000, "p99": 180_000})
    assert body["endReasons"] == {"CallerHungUp": 2, "Lost": 1}
    assert _near(body["latencyMs"]["endToEnd"], {"p50": 800, "p95": 1200})
    assert _near(body["latencyMs"]["llm"], {"p50": 400, "p95": 600})
    assert body["latencyMs"]["endToEnd"] != {"p50": 1200, "p95": 1200}  # not the top bucket
    assert [(g["key"], g["calls"]) for g in body["groups"]] == [
        ("2026-11-20", 2),
        ("2026-11-21", 1),
    ]

    by_agent = (await admin.get(url, params={**window, "groupBy": "agent"})).json()
    assert [(g["key"], g["calls"]) for g in by_agent["groups"]] == [("front-desk", 2), ("sales", 1)]
    one_agent = (await admin.get(url, params={**window, "agent": "sales"})).json()
    assert one_agent["totals"]["calls"] == 1

    backwards = await admin.get(url, params={"from": window["to"], "to": window["from"]})
    assert backwards.status_code == 422
