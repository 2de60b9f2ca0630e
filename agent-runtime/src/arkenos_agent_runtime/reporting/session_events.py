"""Turns an AgentSession's events into report events and Prometheus observations: final
transcript segments, raw usage quantities (deltas of livekit's running totals), and per-turn
latency from the ChatMessage metrics livekit-agents attaches to each turn."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from livekit.agents import AgentSession
from livekit.agents.llm import ChatMessage
from livekit.agents.metrics.usage import LLMModelUsage, STTModelUsage, TTSModelUsage
from livekit.agents.voice.events import ConversationItemAddedEvent, SessionUsageUpdatedEvent

from arkenos_agent_runtime.health.metrics import WorkerMetrics
from arkenos_agent_runtime.reporting.reporter import SessionReporter
from arkenos_crds.runtime import (
    Provider,
    SpeakerRole,
    TranscriptSegment,
    TurnMetric,
    UsageEvent,
    UsageMetric,
)
from arkenos_crds.voiceagent import VoiceAgentSpec

logger = logging.getLogger("arkenos.reporting")

#: (usage type, field, metric, scale to the metric's unit)
USAGE_FIELDS: tuple[tuple[type, str, UsageMetric, int], ...] = (
    (STTModelUsage, "audio_duration", UsageMetric.STT_AUDIO_MS, 1000),
    (LLMModelUsage, "input_tokens", UsageMetric.LLM_INPUT_TOKENS, 1),
    (LLMModelUsage, "input_cached_tokens", UsageMetric.LLM_CACHED_INPUT_TOKENS, 1),
    (LLMModelUsage, "output_tokens", UsageMetric.LLM_OUTPUT_TOKENS, 1),
    (TTSModelUsage, "characters_count", UsageMetric.TTS_CHARACTERS, 1),
    (TTSModelUsage, "audio_duration", UsageMetric.TTS_AUDIO_MS, 1000),
)


def _at(timestamp: float | None) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC) if timestamp else datetime.now(UTC)


def _ms(seconds: Any) -> int | None:
    return max(0, round(seconds * 1000)) if isinstance(seconds, int | float) else None


def usage_providers(spec: VoiceAgentSpec) -> dict[type, Provider]:
    """Which provider each kind of usage is billed to. livekit names the provider after the
    base URL's host, which says nothing about pricing for a self-hosted or proxied server."""
    return {
        STTModelUsage: Provider(str(spec.stt.provider).lower()),
        LLMModelUsage: Provider(str(spec.llm.provider).lower()),
        TTSModelUsage: Provider(str(spec.tts.provider).lower()),
    }


class SessionObserver:
    def __init__(
        self,
        reporter: SessionReporter,
        metrics: WorkerMetrics | None,
        providers: dict[type, Provider],
    ) -> None:
        self._reporter = reporter
        self._metrics = metrics
        self._providers = providers
        self._reported_usage: dict[tuple[str, str, str, str], int] = {}
        self._last_stt_ms: int | None = None
        self._turn = 0

    def attach(self, session: AgentSession[Any]) -> None:
        session.on("conversation_item_added", self._on_item)
        session.on("session_usage_updated", self._on_usage)

    def _on_item(self, event: ConversationItemAddedEvent) -> None:
        item = event.item
        if not isinstance(item, ChatMessage) or item.role not in {"user", "assistant"}:
            return
        metrics = item.metrics or {}
        text = item.text_content or ""
        if text:
            self._reporter.add(
                TranscriptSegment(
                    seq=self._reporter.next_seq(),
                    role=SpeakerRole.USER if item.role == "user" else SpeakerRole.AGENT,
                    text=text[:20000],
                    started_at=_at(metrics.get("started_speaking_at") or item.created_at),
                    ended_at=_at(metrics["stopped_speaking_at"])
                    if "stopped_speaking_at" in metrics
                    else None,
                )
            )
        if item.role == "user":
            self._last_stt_ms = _ms(metrics.get("transcription_delay"))
        elif "e2e_latency" in metrics:
            self._on_turn(metrics)

    def _on_turn(self, metrics: Any) -> None:
        turn = TurnMetric(
            seq=self._reporter.next_seq(),
            turn=self._turn,
            end_to_end_ms=_ms(metrics["e2e_latency"]) or 0,
            stt_ms=self._last_stt_ms,
            llm_ms=_ms(metrics.get("llm_node_ttft")),
            tts_ms=_ms(metrics.get("tts_node_ttfb")),
            at=_at(metrics.get("started_speaking_at")),
        )
        self._turn += 1
        self._reporter.add(turn)
        if self._metrics is not None:
            histogram = self._metrics.turn_latency
            for stage, value in (
                ("e2e", turn.end_to_end_ms),
                ("stt", turn.stt_ms),
                ("llm", turn.llm_ms),
                ("tts", turn.tts_ms),
            ):
                if value is not None:
                    histogram.labels(stage=stage).observe(value / 1000)

    def _on_usage(self, event: SessionUsageUpdatedEvent) -> None:
        for usage in event.usage.model_usage:
            for usage_type, field, metric, scale in USAGE_FIELDS:
                if isinstance(usage, usage_type):
                    self._report_delta(usage, field, metric, scale)

    def _report_delta(self, usage: Any, field: str, metric: UsageMetric, scale: int) -> None:
        provider = self._providers[type(usage)]
        total = round(getattr(usage, field) * scale)
        key = (type(usage).__name__, usage.provider, usage.model, field)
        delta = total - self._reported_usage.get(key, 0)
        if delta <= 0:
            return
        self._reported_usage[key] = total
        self._reporter.add(
            UsageEvent(
                seq=self._reporter.next_seq(),
                provider=provider,
                model=(usage.model or "unknown")[:128],
                metric=metric,
                quantity=delta,
                at=datetime.now(UTC),
            )
        )
