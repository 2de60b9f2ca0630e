"""A call's setup timeline: when LiveKit's dispatch reached the worker, when the job was
accepted and started, when the room was joined and the config fetched, when the session
started and when the first frame of the agent's first speech (the greeting) went out.

Logged once per call as ``call setup`` (the instants as epoch seconds and each stage's
milliseconds) and observed in ``arkenos_call_setup_seconds``, so a slow start says where
its time went."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from livekit.agents import AgentSession, JobContext
from livekit.agents.metrics import TTSMetrics
from livekit.agents.voice.events import AgentStateChangedEvent, MetricsCollectedEvent

from arkenos_agent_runtime.health.metrics import WorkerMetrics

logger = logging.getLogger("arkenos.call")

#: The instants of a call's start. received: the worker got LiveKit's availability request;
#: accepted: it answered yes; assigned: LiveKit's assignment (room token) came; launched: a
#: warm job runner took it; entrypoint: the job's code started; connected: the room is
#: joined; config: the runtime config arrived (fetched while the room connects); session: the
#: AgentSession started; greeting: the first audio frame of the agent's first speech went out.
INSTANTS = (
    "received",
    "accepted",
    "assigned",
    "launched",
    "entrypoint",
    "connected",
    "config",
    "session",
    "greeting",
)
#: Each stage: its name, the instants it starts from (the latest of them) and where it ends.
#: Connecting and fetching the config overlap: both start at the entrypoint.
STAGES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("accept", ("received",), "accepted"),
    ("assign", ("accepted",), "assigned"),
    ("launch", ("assigned",), "launched"),
    ("entrypoint", ("launched",), "entrypoint"),
    ("connect", ("entrypoint",), "connected"),
    ("config", ("entrypoint",), "config"),
    ("session", ("connected", "config"), "session"),
    ("greeting", ("session",), "greeting"),
)


@dataclass
class CallTimeline:
    """Instants of one call's start (epoch seconds, ``time.time()``)."""

    room: str = ""
    job_id: str = ""
    at: dict[str, float] = field(default_factory=dict)
    #: The greeting's time to first byte from the TTS provider, seconds.
    greeting_tts_ttfb: float | None = None
    reported: bool = False

    @classmethod
    def of_job(cls, ctx: JobContext) -> CallTimeline:
        """A timeline started with livekit's dispatch instants of the job (private fields
        of its RunningJobInfo: missing ones are skipped, not guessed) and the entrypoint."""
        timeline = cls(room=ctx.job.room.name, job_id=ctx.job.id)
        info = getattr(ctx, "_info", None)
        for name in ("received", "accepted", "assigned", "launched"):
            value = getattr(info, f"{name}_at", 0.0)
            if isinstance(value, float) and value > 0:
                timeline.at[name] = value
        timeline.mark("entrypoint")
        return timeline

    def mark(self, name: str, at: float | None = None) -> None:
        self.at.setdefault(name, time.time() if at is None else at)

    def stages_ms(self) -> dict[str, float]:
        """Milliseconds of each stage whose instants are known."""
        stages: dict[str, float] = {}
        for name, starts, end in STAGES:
            if end in self.at and all(start in self.at for start in starts):
                began = max(self.at[start] for start in starts)
                stages[name] = round((self.at[end] - began) * 1000, 1)
        return stages

    def total_ms(self) -> float | None:
        first = next((self.at[n] for n in INSTANTS if n in self.at), None)
        if first is None or "greeting" not in self.at:
            return None
        return round((self.at["greeting"] - first) * 1000, 1)

    def watch(self, session: AgentSession[Any], metrics: WorkerMetrics | None) -> None:
        """Mark the first frame of the agent's first speech, then report the timeline."""

        def on_state(event: AgentStateChangedEvent) -> None:
            if event.new_state != "speaking" or self.reported:
                return
            self.mark("greeting")
            self.report(metrics)

        def on_metrics(event: MetricsCollectedEvent) -> None:
            if isinstance(event.metrics, TTSMetrics) and self.greeting_tts_ttfb is None:
                self.greeting_tts_ttfb = event.metrics.ttfb

        session.on("agent_state_changed", on_state)
        session.on("metrics_collected", on_metrics)

    def report(self, metrics: WorkerMetrics | None) -> None:
        self.reported = True
        stages = self.stages_ms()
        total = self.total_ms()
        if metrics is not None:
            for stage, ms in stages.items():
                metrics.call_setup.labels(stage=stage).observe(ms / 1000)
            if total is not None:
                metrics.call_setup.labels(stage="total").observe(total / 1000)
        logger.info(
            "call setup",
            extra={
                "room": self.room,
                "job_id": self.job_id,
                "setup_ms": total,
                "stages_ms": stages,
                "instants": {name: round(value, 4) for name, value in self.at.items()},
                "greeting_tts_ttfb_ms": (
                    round(self.greeting_tts_ttfb * 1000, 1)
                    if self.greeting_tts_ttfb is not None
                    else None
                ),
            },
        )
