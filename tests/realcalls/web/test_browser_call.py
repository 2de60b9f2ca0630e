"""A browser call over real WebRTC: the room is created with the standard agent dispatched,
a caller joins, hears the greeting, asks a question and hears the answer; the API stores the
session with its transcript, usage and end reason; livekit-server's signed webhooks arrive.
What the caller receives over the room's data channels is the transcript, not the session."""

from __future__ import annotations

import asyncio
import uuid

import aiohttp
import numpy as np
import pytest
from livekit import api as lkapi
from livekit import rtc
from livekit.agents.types import TOPIC_TRANSCRIPTION
from livekit.agents.voice.remote_session import TOPIC_SESSION_MESSAGES
from livekit.protocol.agent_pb import agent_session as session_pb

from arkenos_crds.runtime import CallDirection, EndReason
from arkenos_devstack.livekit import LiveKitStack
from tests.api.helpers import Api
from tests.doubles.openai import OpenAIDouble
from tests.realcalls.support.agent import AGENT_ANSWERS, CALLER_SAYS, GREETING
from tests.realcalls.support.caller import WebCaller
from tests.realcalls.support.platform import caller_token, create_dispatched_room, stored_call
from tests.realcalls.support.worker import WorkerProcess
from tests.substrate.livekit_server import WebhookLog
from tests.substrate.waiting import eventually

pytestmark = [pytest.mark.livekit, pytest.mark.postgres, pytest.mark.k8s, pytest.mark.slow]

#: livekit-agents ignores the caller for its echo canceller's warm-up after the agent first
#: speaks (3 s); a caller who talks over the greeting's tail is not heard either.
AEC_WARMUP_S = 3.5


async def test_caller_hears_greeting_and_answer_and_the_api_stores_the_call(
    livekit_stack: LiveKitStack,
    livekit_webhooks: tuple[WebhookLog, str],
    worker: WorkerProcess,
    api: Api,
    workspace: str,
    speech: np.ndarray,
    openai_double: OpenAIDouble,
) -> None:
    room = f"web-{uuid.uuid4().hex[:8]}"
    await create_dispatched_room(livekit_stack, room, workspace, "support")
    caller = await WebCaller.join(livekit_stack.url, caller_token(livekit_stack, room))
    try:
        greeting = await caller.agent_speech_after(0.0, within=30)
        await caller.agent_quiet(within=10)
        await asyncio.sleep(AEC_WARMUP_S)
        speech_ended = await caller.say(speech)
        answer = await caller.agent_speech_after(speech_ended, within=20)
        await caller.agent_quiet(within=10)
    finally:
        await caller.leave()

    # Both replies came back as audio: the TTS double's tone (0.8 s each, 10 ms frames),
    # through the media server.
    assert answer.started_at > speech_ended > greeting.started_at
    assert caller.heard.loud_frames(before=speech_ended) >= 40
    assert caller.heard.loud_frames(after=speech_ended) >= 40
    # The caller's speech reached the STT as audio.
    transcriptions = [b for p, b in openai_double.requests if p.endswith("/transcriptions")]
    assert transcriptions
    assert transcriptions[0]["audio_bytes"] > 1000

    stored = await eventually(lambda: stored_call(api, room), within=30, interval=0.2)
    session = stored.session
    assert (session.agent, session.direction) == ("support", CallDirection.WEB)
    assert session.end_reason == EndReason.CALLER_HUNG_UP
    assert session.served_by == "system:serviceaccount:arkenos-system:arkenos-worker"
    spoken = [(segment.role, segment.text.strip()) for segment in stored.transcript]
    assert spoken == [("agent", GREETING), ("user", CALLER_SAYS), ("agent", AGENT_ANSWERS)]
    providers = {(usage.provider, usage.metric) for usage in stored.usage}
    assert {p for p, _ in providers} == {"openai"}
    assert len(providers) >= 3  # STT audio, LLM tokens and TTS characters at least
    assert stored.turns
    assert stored.turns[0].end_to_end_ms > 0

    webhooks, _ = livekit_webhooks
    started = await asyncio.to_thread(webhooks.wait_for, room, "room_started")
    joined = await asyncio.to_thread(webhooks.wait_for, room, "participant_joined")
    assert started.room.name == joined.room.name == room
    identities = {e.participant.identity for e in webhooks.for_room(room) if e.participant}
    assert "caller" in identities
    assert webhooks.rejected == 0


async def test_the_caller_gets_the_transcript_and_nothing_of_the_session(
    livekit_stack: LiveKitStack, worker: WorkerProcess, workspace: str, speech: np.ndarray
) -> None:
    """livekit's session host would answer any participant on its topic: the agent's
    instructions and chat context on request, and the session's events (tool calls with
    their arguments and output) unasked. The worker does not host it: a caller who asks, as
    LiveKit's RemoteSession does, gets no answer and no event all call long, while the
    transcript's text streams reach it over the same data channel."""
    room = f"web-{uuid.uuid4().hex[:8]}"
    await create_dispatched_room(livekit_stack, room, workspace, "support")
    caller = await WebCaller.join(livekit_stack.url, caller_token(livekit_stack, room))
    session_streams: list[str] = []
    transcript: list[str] = []
    reads: set[asyncio.Task[None]] = set()

    def on_session_stream(reader: rtc.ByteStreamReader, identity: str) -> None:
        session_streams.append(identity)

    async def read_transcript(reader: rtc.TextStreamReader) -> None:
        transcript.append(await reader.read_all())

    def on_transcript(reader: rtc.TextStreamReader, identity: str) -> None:
        task = asyncio.create_task(read_transcript(reader))
        reads.add(task)
        task.add_done_callback(reads.discard)

    caller.room.register_byte_stream_handler(TOPIC_SESSION_MESSAGES, on_session_stream)
    caller.room.register_text_stream_handler(TOPIC_TRANSCRIPTION, on_transcript)
    try:
        await caller.agent_speech_after(0.0, within=30)
        ask = session_pb.AgentSessionMessage(
            request=session_pb.SessionRequest(
                request_id="probe", get_agent_info=session_pb.SessionRequest.GetAgentInfo()
            )
        )
        await caller.room.local_participant.send_bytes(
            ask.SerializeToString(), topic=TOPIC_SESSION_MESSAGES
        )
        await caller.agent_quiet(within=10)
        await asyncio.sleep(AEC_WARMUP_S)
        speech_ended = await caller.say(speech)
        await caller.agent_speech_after(speech_ended, within=20)
        await caller.agent_quiet(within=10)

        async def answered() -> bool:
            return any(AGENT_ANSWERS in text for text in transcript)

        await eventually(answered, within=10, what="the answer's transcript")
    finally:
        await caller.leave()

    assert any(GREETING in text for text in transcript)
    assert session_streams == []


async def test_webhook_receiver_refuses_what_the_server_did_not_sign(
    livekit_stack: LiveKitStack, livekit_webhooks: tuple[WebhookLog, str]
) -> None:
    """The receiver the assertions above rely on checks the signature: a body signed with
    another secret is refused."""
    webhooks, url = livekit_webhooks
    before = webhooks.rejected
    body = '{"event": "room_started", "room": {"name": "forged"}}'
    other_secret = "not-the-secret-0123456789abcdef-0123456789"
    forged = lkapi.AccessToken(livekit_stack.keys.api_key, other_secret)
    token = forged.with_sha256("x").to_jwt()
    async with aiohttp.ClientSession() as http:
        response = await http.post(url, data=body, headers={"Authorization": token})
    assert response.status == 401
    assert webhooks.rejected == before + 1
    assert webhooks.for_room("forged") == []
