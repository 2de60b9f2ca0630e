"""Full-text search of the call log by both plans (sessions/search.py): the gather (rare words)
and the walk of the newest sessions (common words), and a walk that runs out of budget and
hands the page to the gather. Every plan, and the automatic choice, pages through exactly the
sessions a brute-force reference finds, newest first (ties broken by id), whatever plan
answered each page; a word common in another workspace finds nothing here."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from arkenos_api.sessions.filters import SessionFilters
from arkenos_api.sessions.search import Estimate, Plan, SearchTuning, estimate
from arkenos_api.sessions.service import list_sessions_by_plan
from tests.api.helpers import Api, Person
from tests.api.sessions.factories import BASE, add_session, workspace_id

AGENTS = ["front-desk", "sales"]
QUERIES = [
    "hello",  # in most sessions
    "zanzibar",  # in a few
    "recent",  # only in the newest sessions: a small walk fills the first pages, not the rest
    "hello -zanzibar",
    '"hello there"',
    "zanzibar or recent",
    "nowhere",  # in no session here (common in the other workspace)
]


async def _seed(api: Api, workspace: str, other: str) -> None:
    rng = random.Random(12)
    for index in range(160):
        words = ["hi", "thanks"]
        if rng.random() < 0.85:
            words.append(rng.choice(["hello there", "hello", "well hello"]))
        if rng.random() < 0.04:
            words.append("zanzibar")
        if index >= 130:
            words.append("recent")
        if index == 77:
            words.append("quokka")  # rare in the whole table (zanzibar is common elsewhere)
        segments = [("user", " ".join(rng.sample(words, len(words)))), ("agent", "bye")]
        # Several sessions share a start: the id breaks the tie.
        started = BASE + timedelta(minutes=index - index % 3)
        await add_session(
            api, workspace, started_at=started, agent=rng.choice(AGENTS), transcript=segments
        )
    for index in range(40):
        await add_session(
            api,
            other,
            started_at=BASE + timedelta(minutes=index),
            transcript=[("user", "nowhere hello zanzibar")],
        )


async def _reference(api: Api, ws: uuid.UUID, words: str, agent: str | None) -> list[uuid.UUID]:
    """The matching sessions found the slow obvious way, newest first."""
    async with api.app.state.sessionmaker() as db:
        rows = await db.execute(
            text(
                "SELECT s.id FROM sessions AS s WHERE s.workspace_id = :ws"
                " AND (CAST(:agent AS text) IS NULL OR s.agent = :agent)"
                " AND s.id IN (SELECT session_id FROM transcript_segments"
                "   WHERE search @@ websearch_to_tsquery('simple', :words))"
                " ORDER BY s.started_at DESC, s.id DESC"
            ),
            {"ws": ws, "agent": agent, "words": words},
        )
        return [row[0] for row in rows]


async def _pages(
    api: Api, ws: uuid.UUID, filters: SessionFilters, tuning: SearchTuning, limit: int
) -> tuple[list[uuid.UUID], list[Plan | None]]:
    found: list[uuid.UUID] = []
    plans: list[Plan | None] = []
    cursor = None
    while True:
        async with api.app.state.sessionmaker() as db:
            page, plan = await list_sessions_by_plan(
                db_session=db,
                workspace_id=ws,
                filters=filters,
                cursor=cursor,
                limit=limit,
                search=tuning,
            )
        assert len(page.items) <= limit
        found += [item.id for item in page.items]
        plans.append(plan)
        if page.next_cursor is None:
            return found, plans
        assert len(page.items) == limit  # a page is short only when it is the last
        cursor = page.next_cursor


TUNINGS: dict[str, SearchTuning] = {
    "gather": SearchTuning(plan=Plan.GATHER),
    "walk": SearchTuning(plan=Plan.WALK, walk_budget=10_000),
    "walk-then-gather": SearchTuning(plan=Plan.WALK, walk_budget=25),
    "automatic": SearchTuning(),
}


@pytest.fixture
async def seeded(api: Api, owner: tuple[Person, str]) -> tuple[uuid.UUID, str]:
    admin, workspace = owner
    other = await api.workspace(admin)
    await _seed(api, workspace, other)
    async with api.app.state.sessionmaker() as db:
        await db.execute(text("ANALYZE sessions"))
        await db.execute(text("ANALYZE transcript_segments"))
        await db.commit()
    return await workspace_id(api, workspace), workspace


async def test_every_plan_pages_through_what_the_reference_finds(
    api: Api, seeded: tuple[uuid.UUID, str]
) -> None:
    ws, _ = seeded
    answered: dict[str, set[Plan | None]] = {name: set() for name in TUNINGS}
    for words in QUERIES:
        for agent in (None, "sales"):
            expected = await _reference(api, ws, words, agent)
            for name, tuning in TUNINGS.items():
                for limit in (1, 7, 50):
                    filters = SessionFilters(text=words, agent=agent)
                    found, plans = await _pages(api, ws, filters, tuning, limit)
                    assert found == expected, (words, agent, name, limit)
                    answered[name].update(plans)
    assert len(await _reference(api, ws, "hello", None)) > 100
    assert 0 < len(await _reference(api, ws, "zanzibar", None)) < 15
    assert await _reference(api, ws, "nowhere", None) == []
    assert answered["gather"] == {Plan.GATHER}
    assert answered["walk"] == {Plan.WALK}
    assert answered["walk-then-gather"] == {Plan.WALK, Plan.GATHER}
    assert answered["automatic"] == {Plan.WALK, Plan.GATHER}


async def test_one_pagination_crosses_from_the_walk_to_the_gather(
    api: Api, seeded: tuple[uuid.UUID, str]
) -> None:
    """'recent' is in the newest 30 sessions only: a walk of 25 fills the first pages, then
    finds too few and the gather answers the rest, continuing from the walk's cursor."""
    ws, _ = seeded
    filters = SessionFilters(text="recent or zanzibar")
    found, plans = await _pages(api, ws, filters, TUNINGS["walk-then-gather"], 5)
    assert found == await _reference(api, ws, "recent or zanzibar", None)
    assert plans[0] is Plan.WALK
    assert plans[-1] is Plan.GATHER
    first_gather = plans.index(Plan.GATHER)
    assert set(plans[:first_gather]) == {Plan.WALK}


async def test_the_choice_follows_how_common_the_words_are(
    api: Api, seeded: tuple[uuid.UUID, str]
) -> None:
    async with api.app.state.sessionmaker() as db:
        common = await estimate(db, "hello")
        rare = await estimate(db, "quokka")
    assert common is not None
    assert rare is not None
    assert common.matching_segments > 10 * rare.matching_segments
    tuning = SearchTuning()
    assert tuning.choose(common, 50)[0] is Plan.WALK
    assert tuning.choose(rare, 50)[0] is Plan.GATHER
    assert tuning.choose(None, 50)[0] is Plan.GATHER
    # At scale: a word in 3 segments of 10 of a million sessions is walked with a small
    # budget; one in a segment of a thousand is gathered.
    million: dict[str, Any] = {"segments": 20e6, "sessions": 1e6}
    plan, budget = tuning.choose(Estimate(matching_segments=6e6, **million), 50)
    assert plan is Plan.WALK
    assert tuning.min_budget <= budget < 250  # about four pages of sessions
    assert tuning.choose(Estimate(matching_segments=2e4, **million), 50)[0] is Plan.GATHER
    assert tuning.choose(Estimate(matching_segments=0, **million), 50)[0] is Plan.GATHER


async def test_the_endpoint_searches_a_common_word(
    api: Api, owner: tuple[Person, str], seeded: tuple[uuid.UUID, str]
) -> None:
    admin, _ = owner
    ws, workspace = seeded
    expected = [str(i) for i in await _reference(api, ws, "hello", None)]
    found: list[str] = []
    params: dict[str, Any] = {"q": "hello", "limit": 40}
    while True:
        response = await admin.get(f"/api/v1/workspaces/{workspace}/sessions", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        found += [item["id"] for item in body["items"]]
        if not body.get("nextCursor"):
            break
        params["cursor"] = body["nextCursor"]
    assert found == expected
