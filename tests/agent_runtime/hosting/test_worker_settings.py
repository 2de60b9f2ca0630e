"""The worker's capacity and drain come from the env the operator sets: ARKENOS_MAX_SESSIONS
caps the calls one worker takes (it refuses the next job), ARKENOS_DRAIN_TIMEOUT_SECONDS is
livekit's drain timeout (the drain cut-off itself is tested in test_call_endings); bad values
are named in one message."""

from __future__ import annotations

import asyncio

import pytest
from livekit.agents import JobContext

from arkenos_agent_runtime.services import CallServices
from arkenos_agent_runtime.settings import Settings, SettingsError, load_settings
from tests.agent_runtime.conftest import StartHost, now_check, offer
from tests.doubles.livekit_worker import LiveKitWorkerDouble
from tests.doubles.server import ServedApp
from tests.substrate.waiting import eventually


async def held_call(ctx: JobContext, services: CallServices) -> None:
    """A call that lasts until the worker shuts it down."""
    ended = asyncio.Event()

    async def end(_: str) -> None:
        ended.set()

    ctx.add_shutdown_callback(end)
    await ended.wait()


async def test_a_worker_refuses_the_job_past_its_max_sessions(
    run_host: StartHost, livekit: tuple[LiveKitWorkerDouble, ServedApp]
) -> None:
    host, running = await run_host(
        held_call, ARKENOS_MAX_SESSIONS="2", ARKENOS_DRAIN_TIMEOUT_SECONDS="1"
    )
    assert host.settings.max_sessions == 2
    assert await offer(livekit, "call-1")
    assert await offer(livekit, "call-2")
    await eventually(
        now_check(lambda: len(host.server.active_jobs) == 2 or None), within=20, what="2 calls"
    )
    # livekit refreshes the load every 0.5 s; give it two ticks.
    await asyncio.sleep(1.2)
    assert not await offer(livekit, "call-3")
    assert len(host.server.active_jobs) == 2
    host.request_stop()
    await asyncio.wait_for(running, 30)


def test_drain_timeout_and_max_sessions_are_read_from_the_operators_env() -> None:
    settings = load_settings(
        Settings,
        {
            "ARKENOS_API_URL": "http://api.arkenos-system:8000/",
            "ARKENOS_DRAIN_TIMEOUT_SECONDS": "540",
            "ARKENOS_MAX_SESSIONS": "10",
        },
    )
    assert (settings.drain_timeout_s, settings.max_sessions) == (540, 10)
    assert settings.api_url == "http://api.arkenos-system:8000"


def test_every_bad_setting_is_named_in_one_message() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(
            Settings, {"ARKENOS_MAX_SESSIONS": "0", "ARKENOS_DRAIN_TIMEOUT_SECONDS": "soon"}
        )
    assert str(raised.value) == (
        "ARKENOS_API_URL is required (URL of the Arkenos API); "
        "ARKENOS_DRAIN_TIMEOUT_SECONDS: Input should be a valid integer, unable to parse string "
        "as an integer; ARKENOS_MAX_SESSIONS: Input should be greater than or equal to 1"
    )
