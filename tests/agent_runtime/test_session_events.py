"""SessionObserver turns livekit's per-turn ChatMessage metrics and usage totals into report
events and Prometheus observations."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from livekit.agents.llm import ChatMessage
from livekit.agents.metrics.usage import AgentSessionUsage, LLMModelUsage, STTModelUsage
from livekit.agents.voice.events import ConversationItemAddedEvent, SessionUsageUpdatedEvent

from arkenos_agent_runtime.health.metrics import WorkerMetrics
from arkenos_agent_runtime.reporting.reporter import ReportingOptions, SessionReporter
from arkenos_agent_runtime.reporting.session_events import SessionObserver
from arkenos_crds.runtime import (
    BatchAccepted,
    CallDirection,
    EndReason,
    EventBatch,
    Provider,
    RuntimeConfig,
    SessionEnd,
    SessionStart,
    SessionStarted,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class RecordingAPI:
    """A fake RuntimeAPI that keeps what it is sent (the HTTP side is tested elsewhere)."""

    def __init__(self) -> None:
        self.batches: list[EventBatch] = []
        self.ended: SessionEnd | None = None

    async def runtime_config(self, workspace: str, agent: str) -> RuntimeConfig:
        raise AssertionError("not used")

    async def start_session(self, start: SessionStart) -> SessionStarted:
        return SessionStarted(session_id=uuid4())

    async def send_events(self, session_id: UUID, batch: EventBatch) -> BatchAccepted:
        self.batches.append(batch)
        size = len(batch.transcripts) + len(batch.usage) + len(batch.turns)
        return BatchAccepted(stored=size, duplicates=0)

    async def end_session(self, session_id: UUID, end: SessionEnd) -> None:
        self.ended = end


async def test_turns_transcripts_and_usage_deltas_are_reported() -> None:
    api, metrics = RecordingAPI(), WorkerMetrics()
    start = SessionStart(
        workspace="acme",
        agent="support",
        room="r",
        job_id="AJ_1",
        direction=CallDirection.WEB,
        dispatched_at=NOW,
        started_at=NOW,
    )
    reporter = SessionReporter(api, start, ReportingOptions(flush_interval=0.01))
    providers = {STTModelUsage: Provider.OPENAI, LLMModelUsage: Provider.OPENAI}
    observer = SessionObserver(reporter, metrics, providers)  # type: ignore[arg-type]
    reporter.start()

    user = ChatMessage(role="user", content=["Where is my order?"])
    user.metrics = {"transcription_delay": 0.21, "started_speaking_at": 1.0e9}
    agent = ChatMessage(role="assistant", content=["It shipped."])
    agent.metrics = {"e2e_latency": 0.64, "llm_node_ttft": 0.18, "tts_node_ttfb": 0.09}
    observer._on_item(ConversationItemAddedEvent(item=user))
    observer._on_item(ConversationItemAddedEvent(item=agent))
    for prompt in (100, 160):
        usage = [LLMModelUsage(provider="127.0.0.1:8000", model="gpt-4o-mini", input_tokens=prompt)]
        observer._on_usage(SessionUsageUpdatedEvent(usage=AgentSessionUsage(model_usage=usage)))
    await reporter.close(EndReason.CALLER_HUNG_UP)

    transcripts = [t for b in api.batches for t in b.transcripts]
    turns = [t for b in api.batches for t in b.turns]
    usage_events = [u for b in api.batches for u in b.usage]
    assert [(t.role, t.text) for t in transcripts] == [
        ("user", "Where is my order?"),
        ("agent", "It shipped."),
    ]
    assert [(t.turn, t.end_to_end_ms, t.stt_ms, t.llm_ms, t.tts_ms) for t in turns] == [
        (0, 640, 210, 180, 90)
    ]
    assert [(u.provider, u.metric, u.quantity) for u in usage_events] == [
        ("openai", "llm_input_tokens", 100),
        ("openai", "llm_input_tokens", 60),
    ]
    seqs = [e.seq for e in [*transcripts, *turns, *usage_events]]
    assert sorted(seqs) == list(range(5))
    sample = metrics.registry.get_sample_value
    assert sample("arkenos_turn_latency_seconds_count", {"stage": "e2e"}) == 1
    assert sample("arkenos_turn_latency_seconds_sum", {"stage": "llm"}) == 0.18
    assert api.ended is not None
