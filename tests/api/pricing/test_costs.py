"""Costs: exact integer micro-unit prices from the shipped catalogue, an unpriced model
reported as unpriced (never 0), workspace overrides, the price computed when the worker ends
the session (with the catalogue version stored) and recomputed on demand."""

from __future__ import annotations

from datetime import UTC, datetime

from arkenos_api.pricing.catalogue import Price, catalogue
from arkenos_api.pricing.service import price_usage
from arkenos_crds.runtime import SESSION_END_PATH, SESSION_EVENTS_PATH, WORKLOAD_TOKEN_AUDIENCE
from tests.api.calls._support import ready_agent, worker_registers
from tests.api.helpers import Api, Cluster, Person

VERSION = "2026-11-01"


def test_prices_are_exact_integers_rounded_half_up() -> None:
    breakdown = price_usage(
        {
            "openai/gpt-4o-mini/llm_input_tokens": 1500,  # 1500 * 0.15 / 1e6 $ = 225 micros
            "openai/gpt-4o-mini/llm_output_tokens": 333,  # 199.8 -> 200
            "deepgram/nova-3/stt_audio_ms": 61_000,  # 7828.33 -> 7828
            "cartesia/sonic-2/tts_characters": 1234,  # 46892 exactly
        },
        VERSION,
        {},
    )
    assert [(line.item, line.micros) for line in breakdown.lines] == [
        ("cartesia/sonic-2/tts_characters", 46_892),
        ("deepgram/nova-3/stt_audio_ms", 7_828),
        ("openai/gpt-4o-mini/llm_input_tokens", 225),
        ("openai/gpt-4o-mini/llm_output_tokens", 200),
    ]
    assert breakdown.total_micros == 46_892 + 7_828 + 225 + 200
    assert Price(micros=1, per=2).cost(1) == 1  # exactly half rounds up
    assert Price(micros=1, per=3).cost(1) == 0


def test_an_unpriced_model_is_unpriced_never_free() -> None:
    breakdown = price_usage(
        {"openai/my-llama/llm_input_tokens": 1000, "openai/gpt-4o-mini/llm_input_tokens": 1000},
        VERSION,
        {},
    )
    wire = breakdown.to_json()
    assert wire["status"] == "unpriced"
    assert wire["totalMicros"] is None
    assert wire["pricedMicros"] == 150
    assert wire["unpricedItems"] == ["openai/my-llama/llm_input_tokens"]
    [unpriced] = [line for line in wire["lines"] if line["status"] == "unpriced"]
    assert unpriced["micros"] is None


def test_overrides_win_over_the_catalogue() -> None:
    override = {"openai/my-llama/llm_input_tokens": Price(micros=10, per=1000)}
    breakdown = price_usage({"openai/my-llama/llm_input_tokens": 5000}, VERSION, override)
    assert breakdown.total_micros == 50
    assert breakdown.lines[0].source == "override"


def test_the_version_in_effect_when_the_call_started_is_used() -> None:
    data = catalogue()
    assert data.version_at(datetime(2026, 12, 1, tzinfo=UTC)).version == VERSION
    # Versions are never edited in place; every item's price is a whole number of micros.
    assert all(p.micros >= 0 and p.per > 0 for v in data.versions for p in v.items.values())


async def test_the_worker_ending_a_session_prices_it(
    api: Api, owner: tuple[Person, str], cluster: Cluster
) -> None:
    admin, workspace = owner
    await ready_agent(admin, cluster, workspace, "priced")
    pool = cluster.authority.issue("arkenos-system", "arkenos-worker", (WORKLOAD_TOKEN_AUDIENCE,))
    registered = await worker_registers(api, pool, workspace, "priced", "room-priced", "AJ_priced")
    session_id = registered.json()["sessionId"]
    headers = {"Authorization": f"Bearer {pool}"}
    at = "2026-12-01T10:00:30Z"
    async with api.client() as client:
        events = await client.post(
            SESSION_EVENTS_PATH.format(session_id=session_id),
            headers=headers,
            json={
                "usage": [
                    {
                        "seq": 0,
                        "provider": "openai",
                        "model": "gpt-4o-mini",
                        "metric": "llm_input_tokens",
                        "quantity": 1500,
                        "at": at,
                    },
                    {
                        "seq": 1,
                        "provider": "openai",
                        "model": "gpt-4o-mini",
                        "metric": "llm_output_tokens",
                        "quantity": 333,
                        "at": at,
                    },
                ]
            },
        )
        assert events.status_code == 200, events.text
        # Started 10:00:01, ended 10:01:01: one minute, two participants in the room.
        ended = await client.post(
            SESSION_END_PATH.format(session_id=session_id),
            headers=headers,
            json={"endedAt": "2026-12-01T10:01:01Z", "reason": "CallerHungUp"},
        )
        assert ended.status_code == 204, ended.text

    detail = (await admin.get(f"/api/v1/workspaces/{workspace}/sessions/{session_id}")).json()
    cost = detail["cost"]
    assert cost["version"] == VERSION
    assert {line["item"]: line["micros"] for line in cost["lines"]} == {
        "livekit/room/participant_ms": 1_000,  # 120,000 ms * 500 / 60,000
        "openai/gpt-4o-mini/llm_input_tokens": 225,
        "openai/gpt-4o-mini/llm_output_tokens": 200,
    }
    assert detail["costMicros"] == 1_425
    assert detail["durationMs"] == 60_000

    # An override, then a recompute with the same catalogue version.
    put = await admin.put(
        f"/api/v1/workspaces/{workspace}/pricing/overrides",
        json={"overrides": [{"item": "livekit/room/participant_ms", "micros": 0, "per": 60000}]},
    )
    assert put.status_code == 204, put.text
    again = await admin.post(f"/api/v1/workspaces/{workspace}/sessions/{session_id}/cost")
    assert again.status_code == 200, again.text
    assert again.json()["totalMicros"] == 425
    assert again.json()["version"] == VERSION
    pricing = (await admin.get(f"/api/v1/workspaces/{workspace}/pricing")).json()
    assert {
        "item": "livekit/room/participant_ms",
        "micros": 0,
        "per": 60000,
        "source": "override",
    } in pricing["items"]
