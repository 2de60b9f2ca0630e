"""Runs a LiveKit AgentServer the Arkenos way, for the standard worker and the custom runner:
sessions-based load, our own drain-aware health and Prometheus endpoints, SIGTERM drains
(no new jobs; running calls finish within the drain timeout), per-job API clients.

Jobs run in threads of the worker process (livekit's thread executor): the Prometheus
registry and the active-sessions gauge are then one per pod, which is what the pool scaler
reads, and each job still gets its own event loop.

Threads share one GIL, but only the Python part of a call needs it: libwebrtc's media
(Opus, SRTP, the jitter buffer) and Silero's ONNX inference run outside it. Measured
(tests/bench/bench_voice_rtc.py, 8 calls): 0.09-0.12 core per call-second in all, ~60 % of it
in Python threads, so Python fills one core at about 14-18 calls per pod; on the 2-core bench
machine the worker, the callers and livekit-server together fill both cores first (at about
8 calls), so a process pool would not raise that figure there. A pod meant to carry more
calls than one GIL takes is better scaled out (more pods of ~1 core) than given a process
pool, which would also need its metrics aggregated across processes for the scaler.

livekit-rtc copies each of its events to the event loop of every subscriber in the process,
so with jobs as threads every call's loop was woken for every other call's audio frames and
answers; the worker routes them to the loop that owns them (``ffi_routing``), from its first
job on: a worker that serves no call never starts livekit's native runtime.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from livekit.agents import AgentServer, JobContext, JobExecutorType, JobProcess

from arkenos_agent_runtime.api_client import HTTPRuntimeAPI, TokenSource
from arkenos_agent_runtime.call.pipeline import SileroModel, VADCache
from arkenos_agent_runtime.ffi_routing import FirstJobRouting
from arkenos_agent_runtime.health.metrics import WorkerMetrics
from arkenos_agent_runtime.health.server import WorkerState, health_app, metrics_app, start_site
from arkenos_agent_runtime.native_logs import filter_native_logs, print_native_logs
from arkenos_agent_runtime.openai_clients import OpenAIClients
from arkenos_agent_runtime.reporting.reporter import ReportingOptions
from arkenos_agent_runtime.services import CallServices
from arkenos_agent_runtime.settings import Settings
from arkenos_agent_runtime.tools.ssrf import SSRFGuard

logger = logging.getLogger("arkenos.worker")

#: livekit-agents watches every job's loop for blocking code with a heartbeat and a watchdog
#: thread ticking at a fifth of this threshold (20 ms, i.e. 100 wake-ups a second per call,
#: at its default of 100 ms). The worker reports blocks from 250 ms (ticks of 50 ms) unless
#: the variable is set: 60 fewer wake-ups per call-second, and a 250 ms block is still one
#: that the caller hears.
LOOP_BLOCK_WARN_ENV = "LIVEKIT_AGENTS_LOOP_BLOCK_WARN_MS"
LOOP_BLOCK_WARN_MS = "250"

CallEntrypoint = Callable[[JobContext, CallServices], Awaitable[None]]


def prewarmer(model: SileroModel) -> Callable[[JobProcess], None]:
    """The job runners' prewarm: a VAD with the default settings on the worker's Silero
    model, loaded by the first runner (as LiveKit's starter loads it per process) and shared
    by the next ones, which are then warm at once."""

    def prewarm(proc: JobProcess) -> None:
        from arkenos_crds.pipeline import VADSettings

        cache = VADCache(model)
        cache.get(VADSettings())
        proc.userdata["vad_cache"] = cache

    return prewarm


def session_load(max_sessions: int) -> Callable[[AgentServer], float]:
    def load(server: AgentServer) -> float:
        return min(1.0, len(server.active_jobs) / max_sessions)

    return load


class SessionsServer(AgentServer):
    """livekit's AgentServer, with the offers it has said yes to counted in sessions.

    Before a job runs, livekit counts each accepted offer at an estimated load: that of a
    running job, or, while none runs, the load threshold divided by the idle runners. So a
    worker without calls refused every offer past its idle runners that came at the same
    instant: a burst of calls to a fresh or idle worker got "not available" for all but the
    first ``idle_processes`` of them, and LiveKit had to find another worker or give up. Here
    each job is worth 1 / max_sessions, as ``session_load`` counts it once it runs."""

    def __init__(self, *, max_sessions: int, **options: Any) -> None:
        super().__init__(load_fnc=session_load(max_sessions), **options)
        self._session_share = 1 / max_sessions

    def _get_effective_load(self) -> float:
        # livekit's own (worker.py) with the exact cost of a reserved job; the test of
        # simultaneous offers (tests/agent_runtime/hosting) fails if livekit stops calling it.
        return self._worker_load + self._reserved_slots * self._session_share


class WorkerHost:
    def __init__(self, settings: Settings, *, agent_name: str, entrypoint: CallEntrypoint) -> None:
        self.settings = settings
        # Read by every job thread as it starts its loop's monitor.
        os.environ.setdefault(LOOP_BLOCK_WARN_ENV, LOOP_BLOCK_WARN_MS)
        self.metrics = WorkerMetrics()
        self.state = WorkerState()
        if settings.forward_native_logs:
            self.ffi_routing = FirstJobRouting()
        else:
            # Before the first job starts livekit's native runtime, which reads the filter.
            filter_native_logs()
            self.ffi_routing = FirstJobRouting(also=print_native_logs)
        self._entrypoint = entrypoint
        self._tls = ssl.create_default_context()
        self._stop = asyncio.Event()
        self.silero = SileroModel()
        self.server = SessionsServer(
            job_executor_type=JobExecutorType.THREAD,
            # Sessions, not CPU: the pool is sized in sessions and a busy host must not refuse.
            max_sessions=settings.max_sessions,
            load_threshold=1 - 1 / (2 * settings.max_sessions),
            drain_timeout=settings.drain_timeout_s,
            num_idle_processes=settings.idle_processes,
            host="127.0.0.1",
            port=0,
            setup_fnc=prewarmer(self.silero),
        )
        self.server.rtc_session(self._run_job, agent_name=agent_name)
        self.server.on("worker_registered", self._on_registered)

    def _on_registered(self, *_: Any) -> None:
        self.state.registered = True

    def call_services(self) -> tuple[CallServices, Callable[[], Awaitable[None]]]:
        """Clients for one job, bound to the job's event loop; and how to close them."""
        api = HTTPRuntimeAPI(
            self.settings.api_url, TokenSource(self.settings.token_file), verify=self._tls
        )
        clients = OpenAIClients(self._tls)
        http = httpx.AsyncClient(follow_redirects=False, trust_env=False, verify=self._tls)
        guard = SSRFGuard(
            cluster_networks=self.settings.cluster_cidrs,
            allowed_networks=self.settings.tool_allowed_networks,
        )
        services = CallServices(
            api=api,
            guard=guard,
            metrics=self.metrics,
            reporting=ReportingOptions(buffer_size=self.settings.report_buffer),
            http=http,
            openai=clients,
            draining=lambda: self.state.draining,
        )

        async def close() -> None:
            await api.aclose()
            await http.aclose()
            await clients.aclose()

        return services, close

    async def _run_job(self, ctx: JobContext) -> None:
        # Before the job's room and streams subscribe to livekit's events (its room starts
        # livekit's native runtime anyway; a worker without calls never does).
        self.ffi_routing.install()
        services, close = self.call_services()

        async def closing(reason: str) -> None:
            try:
                for finish in services.shutdown:
                    await finish(reason)
            finally:
                await close()

        # Also after a failed entrypoint: livekit then shuts the job down ("job crashed").
        ctx.add_shutdown_callback(closing)
        try:
            await self._entrypoint(ctx, services)
        except Exception:
            self.metrics.sessions.labels(outcome="failed").inc()
            raise
        self.metrics.sessions.labels(outcome="started").inc()

    def request_stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.request_stop)
        health = await start_site(
            health_app(self.state),
            "0.0.0.0",  # noqa: S104 - the kubelet probes the pod IP
            self.settings.health_port,
        )
        scrape = await start_site(
            metrics_app(self.metrics),
            "0.0.0.0",  # noqa: S104 - Prometheus and the pool scaler scrape the pod IP
            self.settings.metrics_port,
        )
        serving = asyncio.create_task(self.server.run())
        stop = asyncio.create_task(self._stop.wait())
        try:
            await asyncio.wait({serving, stop}, return_when=asyncio.FIRST_COMPLETED)
            if serving.done():
                serving.result()
                return
            await self._drain()
        finally:
            # Calls still running after the drain timeout are shut down here; their
            # reports are flushed by the jobs' shutdown callbacks before this returns.
            await self.server.aclose()
            await health.cleanup()
            await scrape.cleanup()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)

    async def _drain(self) -> None:
        self.state.draining = True
        self.metrics.draining.set(1)
        active = len(self.server.active_jobs)
        logger.info("draining: taking no new calls", extra={"active_calls": active})
        try:
            await self.server.drain(timeout=self.settings.drain_timeout_s)
            logger.info("drained: every call finished")
        except TimeoutError:
            logger.warning(
                "drain timeout reached; ending the remaining calls",
                extra={"active_calls": len(self.server.active_jobs)},
            )
