"""The shared call start (both entry points): the config fetch overlaps the room connection
and is cancelled when the connection fails; the custom runner fetches its own agent's config."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any, cast

import pytest
from livekit.agents import JobContext

from arkenos_agent_runtime.call.setup import open_call
from arkenos_agent_runtime.services import CallServices
from arkenos_crds.runtime import DispatchMetadata, RuntimeConfig

METADATA = DispatchMetadata(workspace="acme", agent="support").model_dump_json()


class HangingAPI:
    """A runtime-config fetch that answers only when told, and records its cancellation."""

    def __init__(self, config: RuntimeConfig | None = None) -> None:
        self.asked: list[tuple[str, str]] = []
        self.cancelled = asyncio.Event()
        self.config = config

    async def runtime_config(self, workspace: str, agent: str) -> RuntimeConfig:
        self.asked.append((workspace, agent))
        if self.config is not None:
            return self.config
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled.set()
            raise
        raise AssertionError("unreachable")


def job(connect: Any) -> JobContext:
    return cast(
        JobContext,
        SimpleNamespace(
            _info=SimpleNamespace(received_at=1.0),
            job=SimpleNamespace(metadata=METADATA, id="AJ_1", room=SimpleNamespace(name="call-1")),
            room=SimpleNamespace(metadata="", name="call-1"),
            connect=connect,
        ),
    )


def services(api: HangingAPI) -> CallServices:
    return cast(CallServices, SimpleNamespace(api=api))


async def test_a_failed_room_connection_cancels_the_config_fetch() -> None:
    api = HangingAPI()

    async def refused() -> None:
        await asyncio.sleep(0)  # the fetch has started by now
        raise ConnectionError("room connection refused")

    with pytest.raises(ConnectionError, match="refused"):
        await open_call(job(refused), services(api))
    await asyncio.wait_for(api.cancelled.wait(), 5)
    assert api.asked == [("acme", "support")]


@pytest.mark.parametrize(
    ("agent", "asked"),
    [(None, ("acme", "support")), (("acme", "night-desk"), ("acme", "night-desk"))],
)
async def test_the_config_of_the_jobs_agent_or_the_runners_own_is_fetched(
    make_config: Any, agent: tuple[str, str] | None, asked: tuple[str, str]
) -> None:
    config = make_config()
    api = HangingAPI(config)

    async def connected() -> None:
        return None

    start = await open_call(job(connected), services(api), agent=agent)
    assert api.asked == [asked]
    assert start.config is config
    assert start.dispatched == 1.0
    assert start.parties.direction == "Web"
    # The setup timeline has the dispatch, the entrypoint, the room joined, the config in.
    timeline = start.timeline
    assert set(timeline.at) == {"received", "entrypoint", "connected", "config"}
    assert timeline.room == "call-1"
    assert set(timeline.stages_ms()) == {"connect", "config"}
