"""Sends one session's events to the API off the audio path.

Callers only append to a bounded in-memory buffer (never awaiting the network). A background
task registers the session, then ships batches; a batch that fails is retried unchanged (same
sequence numbers, so the API stores it once) with exponential backoff and jitter. When the
buffer is full the oldest events are dropped and counted. ``close()`` flushes within a
deadline, ends the session, and logs what could not be sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from arkenos_agent_runtime.api_client import APIError, RuntimeAPI
from arkenos_crds.runtime import (
    EndReason,
    EventBatch,
    SessionEnd,
    SessionStart,
    TranscriptSegment,
    TurnMetric,
    UsageEvent,
)

logger = logging.getLogger("arkenos.reporting")

Event = TranscriptSegment | UsageEvent | TurnMetric


@dataclass(frozen=True)
class ReportingOptions:
    buffer_size: int = 5000
    batch_size: int = 200
    #: How long events wait for company before a batch goes out.
    flush_interval: float = 0.5
    backoff_initial: float = 0.2
    backoff_max: float = 10.0
    #: How long close() may spend flushing before it gives up on what is left.
    close_timeout: float = 10.0


@dataclass
class ReportCounts:
    """What happened to the session's events; logged at the end."""

    sent: int = 0
    duplicates: int = 0
    dropped_full: int = 0
    unsent: int = 0
    retries: int = 0
    failures: dict[str, int] = field(default_factory=dict)


class SessionReporter:
    def __init__(
        self,
        api: RuntimeAPI,
        start: SessionStart,
        options: ReportingOptions | None = None,
        *,
        on_registered: Callable[[UUID], None] | None = None,
    ) -> None:
        """``on_registered``: told the session id once the API has registered the session."""
        self._api = api
        self._on_registered = on_registered
        self._start = start
        self._options = options or ReportingOptions()
        self._buffer: deque[Event] = deque()
        self._in_flight: list[Event] = []
        self._wakeup = asyncio.Event()
        self._closing = False
        self._next_seq = 0
        self._task: asyncio.Task[None] | None = None
        self.session_id: UUID | None = None
        self.registered = asyncio.Event()
        self.counts = ReportCounts()

    # --- producer side: never blocks, never raises for network reasons ---------------------

    def next_seq(self) -> int:
        seq = self._next_seq
        self._next_seq += 1
        return seq

    def add(self, event: Event) -> None:
        if len(self._buffer) >= self._options.buffer_size:
            self._buffer.popleft()
            self.counts.dropped_full += 1
            if self.counts.dropped_full in {1, 100, 1000} or self.counts.dropped_full % 10000 == 0:
                logger.warning(
                    "report buffer full, dropping oldest events",
                    extra={"job_id": self._start.job_id, "dropped": self.counts.dropped_full},
                )
        self._buffer.append(event)
        if len(self._buffer) >= self._options.batch_size:
            self._wakeup.set()

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"report-{self._start.job_id}")

    async def close(self, reason: EndReason, error: str | None = None) -> ReportCounts:
        """Flush what is buffered, end the session, and log the counts. Never raises."""
        self._closing = True
        self._wakeup.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), self._options.close_timeout)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
        self.counts.unsent = len(self._in_flight) + len(self._buffer)
        if self.session_id is not None:
            await self._end(reason, error)
        self._log_counts()
        return self.counts

    async def _end(self, reason: EndReason, error: str | None) -> None:
        end = SessionEnd(ended_at=datetime.now(UTC), reason=reason, error=error)
        assert self.session_id is not None
        try:
            await asyncio.wait_for(self._api.end_session(self.session_id, end), 5.0)
        except (APIError, TimeoutError) as exc:
            self._count_failure(exc)
            logger.warning(
                "could not end session with the API",
                extra={"job_id": self._start.job_id, "error": str(exc)},
            )

    def _log_counts(self) -> None:
        lost = self.counts.unsent + self.counts.dropped_full
        level = logging.WARNING if lost or self.session_id is None else logging.INFO
        logger.log(
            level,
            "session report finished: %d sent, %d duplicates, %d dropped (buffer full), "
            "%d unsent, %d retries, registered=%s",
            self.counts.sent,
            self.counts.duplicates,
            self.counts.dropped_full,
            self.counts.unsent,
            self.counts.retries,
            self.session_id is not None,
            extra={"job_id": self._start.job_id, "failures": dict(self.counts.failures)},
        )

    # --- background sender ----------------------------------------------------------------

    async def _run(self) -> None:
        if not await self._retrying(self._register):
            return
        while True:
            if not self._in_flight:
                await self._wait_for_events()
                self._in_flight = [
                    self._buffer.popleft()
                    for _ in range(min(len(self._buffer), self._options.batch_size))
                ]
            if not self._in_flight:
                if self._closing:
                    return
                continue
            if not await self._retrying(self._send_in_flight):
                return

    async def _wait_for_events(self) -> None:
        if self._closing or len(self._buffer) >= self._options.batch_size:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), self._options.flush_interval)
        self._wakeup.clear()

    async def _register(self) -> None:
        started = await self._api.start_session(self._start)
        self.session_id = started.session_id
        self.registered.set()
        if self._on_registered is not None:
            self._on_registered(started.session_id)

    async def _send_in_flight(self) -> None:
        assert self.session_id is not None
        batch = EventBatch(
            transcripts=[e for e in self._in_flight if isinstance(e, TranscriptSegment)],
            usage=[e for e in self._in_flight if isinstance(e, UsageEvent)],
            turns=[e for e in self._in_flight if isinstance(e, TurnMetric)],
        )
        accepted = await self._api.send_events(self.session_id, batch)
        self.counts.sent += accepted.stored
        self.counts.duplicates += accepted.duplicates
        self._in_flight = []

    async def _retrying(self, attempt: Callable[[], Awaitable[None]]) -> bool:
        """Run ``attempt`` until it succeeds; False when the API refused it for good (a
        cancelled close() stops the retries)."""
        delay = self._options.backoff_initial
        while True:
            try:
                await attempt()
                return True
            except APIError as exc:
                self._count_failure(exc)
                if not exc.retryable:
                    logger.error(
                        "the API refused the session's report; not retrying",
                        extra={"job_id": self._start.job_id, "error": str(exc)},
                    )
                    return False
            self.counts.retries += 1
            # Full jitter: replicas retrying after an API outage do not arrive in lockstep.
            await asyncio.sleep(random.uniform(0, delay))  # noqa: S311 - jitter, not crypto
            delay = min(delay * 2, self._options.backoff_max)

    def _count_failure(self, exc: Exception) -> None:
        key = str(getattr(exc, "status", None) or type(exc).__name__)
        self.counts.failures[key] = self.counts.failures.get(key, 0) + 1
