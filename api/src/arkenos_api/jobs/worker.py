"""The ``arkenos-api jobs`` process: pgqueuer's queue manager and scheduler over the API's
database, running the post-call analysis, the outgoing webhooks, the sweeper and the outbox
retention. Separate from the API server, so the
chart scales it on its own; a killed worker's picked jobs are picked again once their
heartbeat is older than the timeout."""

from __future__ import annotations

import asyncio
import logging
import signal
import ssl
import uuid
from datetime import timedelta

import asyncpg
import httpx
import openai
import openai.resources.chat  # the SDK imports it on first use: not in the first job
from pgqueuer import PgQueuer
from pgqueuer.core.executors import DatabaseRetryEntrypointExecutor, EntrypointExecutorParameters
from pgqueuer.domain.models import Job, Schedule
from sqlalchemy.engine import make_url

from arkenos_api.analysis.service import AnalysisContext, analyse
from arkenos_api.core.db import check_migrated, create_engine, session_factory
from arkenos_api.core.kube import create_api_client
from arkenos_api.jobs.delivery import DeliveryContext, deliver
from arkenos_api.jobs.fanout import fan_out
from arkenos_api.jobs.kube_cache import CachingKube
from arkenos_api.jobs.queue import Entrypoint, decode
from arkenos_api.jobs.retention import prune_outbox
from arkenos_api.jobs.sweeper import sweep
from arkenos_api.settings import Settings

log = logging.getLogger(__name__)

#: How long an idle connection to a webhook receiver is kept.
KEEPALIVE_SECONDS = 30.0


def asyncpg_dsn(database_url: str) -> str:
    """The SQLAlchemy URL as a plain PostgreSQL DSN for asyncpg."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def webhook_client(settings: Settings) -> httpx.AsyncClient:
    context = ssl.create_default_context()
    if settings.webhook_ca_file is not None:
        context.load_verify_locations(cafile=str(settings.webhook_ca_file))
    return httpx.AsyncClient(
        verify=context,
        follow_redirects=False,  # each hop is re-checked against the guard
        timeout=settings.webhook_timeout_seconds,
        trust_env=False,  # a proxy would defeat the pinned address
        headers={"user-agent": "Arkenos-Webhooks/1"},
        # A connection per job in flight (no request ever waits inside httpcore's pool, whose
        # bookkeeping is per pooled connection), kept for a while: httpx's default expiry
        # (5 s) made most deliveries of a burst open a new TLS connection. How many go to one
        # receiver at once is bounded by the deliveries' own slots (delivery.RECEIVER_SLOTS).
        limits=httpx.Limits(
            max_connections=settings.jobs_concurrency,
            max_keepalive_connections=settings.jobs_concurrency,
            keepalive_expiry=KEEPALIVE_SECONDS,
        ),
    )


def _retrying(max_attempts: int) -> object:
    def factory(parameters: EntrypointExecutorParameters) -> DatabaseRetryEntrypointExecutor:
        return DatabaseRetryEntrypointExecutor(parameters=parameters, max_attempts=max_attempts)

    return factory


def analysis_client(settings: Settings) -> openai.DefaultAsyncHttpxClient:
    """The connection pool of every analysis request (one TLS context for all of them)."""
    # The SDK's own limits (its httpx fork's Limits) keep 100 connections: enough.
    return openai.DefaultAsyncHttpxClient(
        timeout=settings.analysis_timeout_seconds, follow_redirects=False
    )


def register(
    pgq: PgQueuer, settings: Settings, context: DeliveryContext, analysis: AnalysisContext
) -> None:
    """Every job of the worker, with exponential backoff and held once they give up."""
    retrying = _retrying(settings.jobs_max_attempts)

    @pgq.entrypoint(Entrypoint.ANALYSE, on_failure="hold", executor_factory=retrying)  # type: ignore[arg-type]
    async def _analyse(job: Job) -> None:
        await analyse(analysis, uuid.UUID(decode(job.payload)["session"]))

    @pgq.schedule(Entrypoint.PRUNE_OUTBOX, settings.outbox_retention_cron)
    async def _prune(_: Schedule) -> None:
        messages, events = await prune_outbox(
            sessionmaker=context.sessionmaker,
            retention=timedelta(days=settings.outbox_retention_days),
        )
        if messages or events:
            log.info("outbox retention deleted %d message(s), %d event(s)", messages, events)

    @pgq.entrypoint(Entrypoint.FAN_OUT, on_failure="hold", executor_factory=retrying)  # type: ignore[arg-type]
    async def _fan_out(job: Job) -> None:
        await fan_out(
            sessionmaker=context.sessionmaker,
            kube=context.kube,
            event_id=uuid.UUID(decode(job.payload)["event"]),
        )

    @pgq.entrypoint(Entrypoint.DELIVER, on_failure="hold", executor_factory=retrying)  # type: ignore[arg-type]
    async def _deliver(job: Job) -> None:
        await deliver(context, str(decode(job.payload)["message"]))

    @pgq.schedule(Entrypoint.SWEEP, settings.session_sweep_cron)
    async def _sweep(_: Schedule) -> None:
        ended = await sweep(
            sessionmaker=context.sessionmaker,
            kube=context.kube,
            grace=timedelta(seconds=settings.session_sweep_grace_seconds),
        )
        if ended:
            log.info("closed %d session(s) that never ended", ended)


async def _relay(stop: asyncio.Event, shutdown: asyncio.Event) -> None:
    await stop.wait()
    shutdown.set()


async def run_worker(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Run jobs until SIGTERM or SIGINT (or ``stop``, in-process), then finish the jobs in
    hand and stop."""
    url = settings.database_url.get_secret_value()
    # No ping per checkout: a job on a dead connection fails and is retried, and the ping
    # was one more round trip per job. A job holds one connection at a time, so one per job
    # in flight, all kept: overflow connections (closed when handed back) were opened and
    # closed all through a burst, each a new PostgreSQL backend with its statements to
    # prepare again.
    pool_size = max(settings.database_pool_size, settings.jobs_concurrency)
    engine = create_engine(url, pool_size, pre_ping=False, max_overflow=0)
    api_client = await create_api_client(settings.kubeconfig)
    connection = await asyncpg.connect(asyncpg_dsn(url))
    http = webhook_client(settings)
    model_http = analysis_client(settings)
    try:
        await check_migrated(engine)
        context = DeliveryContext(
            sessionmaker=session_factory(engine),
            kube=CachingKube(api_client, ttl=settings.jobs_kube_cache_seconds),
            http=http,
            retry_delays=settings.webhook_retry_delays_seconds,
            allow_loopback=settings.webhook_allow_loopback,
        )
        analysis = AnalysisContext.from_settings(
            settings, sessionmaker=context.sessionmaker, kube=context.kube, http=model_http
        )
        pgq = PgQueuer.from_asyncpg_connection(connection)
        register(pgq, settings, context, analysis)
        relay = None
        if stop is None:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, pgq.shutdown.set)
        else:
            relay = asyncio.create_task(_relay(stop, pgq.shutdown))
        log.info("jobs worker started")
        await pgq.run(
            batch_size=settings.jobs_batch_size,
            max_concurrent_tasks=settings.jobs_concurrency,
            heartbeat_timeout=timedelta(seconds=settings.jobs_heartbeat_timeout_seconds),
            dequeue_timeout=timedelta(seconds=5),
        )
        if relay is not None:
            relay.cancel()
    finally:
        await http.aclose()
        await model_http.aclose()
        await connection.close()
        await api_client.close()
        await engine.dispose()
