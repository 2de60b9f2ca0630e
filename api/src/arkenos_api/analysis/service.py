"""The analysis job of one ended session, and the stored analysis as the API shows it.

Idempotent: the result is keyed by the session and inserted only if absent, with its
AnalysisCompleted event in the same transaction, so a job run twice (a crash after the insert,
before pgqueuer's acknowledgement) stores once and emits once. The model call happens outside
any transaction, so no database connection waits on the provider."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import openai
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arkenos_api.analysis.llm import (
    AnalysisFailed,
    Extraction,
    FailureReason,
    Shape,
    answer_shape,
    extract,
)
from arkenos_api.analysis.models import SessionAnalysis
from arkenos_api.analysis.prompt import transcript_text
from arkenos_api.analysis.schemas import PENDING, AnalysisState, SessionAnalysisOut, analysis_out
from arkenos_api.core.cache import BoundedCache
from arkenos_api.core.errors import ApiError
from arkenos_api.core.kube import Kube
from arkenos_api.internal.config_build import missing_keys_message
from arkenos_api.internal.config_inputs import gather_inputs
from arkenos_api.internal.models import CallSession
from arkenos_api.internal.runtime_config import resolve_keys
from arkenos_api.jobs.kube_cache import voice_agent_spec
from arkenos_api.jobs.pg import connection, enqueue_on
from arkenos_api.jobs.queue import Entrypoint
from arkenos_api.keys.crypto import Keyring
from arkenos_api.settings import Settings
from arkenos_crds.runtime import KEY_OF, Provider
from arkenos_crds.secret_refs import SecretUse
from arkenos_crds.voiceagent import AnalysisSpec, VoiceAgentSpec, WebhookEvent

log = logging.getLogger(__name__)

#: A self-hosted OpenAI-compatible server may want no key; the SDK still needs one (as the
#: worker does).
NO_KEY = "unused"
#: Past this many distinct analysis specs, the remembered shapes start again.
MAX_SHAPES = 256
MAX_CLIENTS = 256
MAX_KEYS = 4096

KeyCacheKey = tuple[uuid.UUID, int, str, str]


@dataclass(frozen=True)
class AnalysisContext:
    sessionmaker: async_sessionmaker[AsyncSession]
    kube: Kube
    keyring: Keyring
    #: One connection pool (and TLS context) for every job's model calls.
    http: openai.DefaultAsyncHttpxClient
    default_base_url: str
    max_attempts: int
    provider_retries: int
    timeout_seconds: float
    max_output_tokens: int
    max_transcript_chars: int
    #: The answer model and response format of each analysis spec seen (by its JSON):
    #: building them per job was a pydantic model and a JSON schema each time.
    shapes: dict[str, Shape] = field(default_factory=dict)

    #: One SDK client per (base URL, key): a new one per job also looked up the platform
    #: (in a thread) for its headers again.
    clients: dict[tuple[str, str], openai.AsyncOpenAI] = field(default_factory=dict)
    #: Resolved LLM keys by (workspace, its keys version, agent uid, agent resource
    #: version): a stored key changed bumps the version, an edited agent its resource
    #: version. Kept as long as the jobs' Kubernetes cache (the Secret a key may come from is
    #: kept as long); None resolves the key for every job.
    keys: BoundedCache[KeyCacheKey, str] | None = None

    def client(self, base_url: str, api_key: str) -> openai.AsyncOpenAI:
        found = self.clients.get((base_url, api_key))
        if found is None:
            if len(self.clients) >= MAX_CLIENTS:
                self.clients.clear()  # not closed: they share (and would close) ``http``
            found = self.clients[base_url, api_key] = openai.AsyncOpenAI(
                api_key=api_key,
                base_url=base_url,
                max_retries=self.provider_retries,
                timeout=self.timeout_seconds,
                http_client=self.http,
            )
        return found

    def shape(self, spec: AnalysisSpec) -> Shape:
        key = spec.model_dump_json()
        found = self.shapes.get(key)
        if found is None:
            if len(self.shapes) >= MAX_SHAPES:
                self.shapes.clear()
            found = self.shapes[key] = answer_shape(spec)
        return found

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        kube: Kube,
        http: openai.DefaultAsyncHttpxClient,
    ) -> AnalysisContext:
        return cls(
            sessionmaker=sessionmaker,
            kube=kube,
            keyring=Keyring.parse(settings.master_keys_text()),
            http=http,
            default_base_url=settings.openai_base_url,
            max_attempts=settings.analysis_max_attempts,
            provider_retries=settings.analysis_provider_retries,
            timeout_seconds=settings.analysis_timeout_seconds,
            max_output_tokens=settings.analysis_max_output_tokens,
            max_transcript_chars=settings.analysis_max_transcript_chars,
            keys=(
                BoundedCache(MAX_KEYS, settings.jobs_kube_cache_seconds)
                if settings.jobs_kube_cache_seconds > 0
                else None
            ),
        )


@dataclass(frozen=True)
class Plan:
    """What one analysis needs, read in one short transaction."""

    spec: VoiceAgentSpec
    base_url: str
    api_key: str
    transcript: str


def _parse(kube: Kube, resource: dict[str, Any], agent: str) -> VoiceAgentSpec:
    try:
        return voice_agent_spec(kube, resource)
    except ValidationError as exc:
        raise AnalysisFailed(
            FailureReason.INVALID_AGENT, f"agent {agent} has an invalid spec: {exc}"
        ) from exc


async def _resolve_keys(
    context: AnalysisContext,
    namespace: str,
    agent: str,
    resource: dict[str, Any],
    provider: Provider,
) -> dict[Provider, str]:
    """The agent's keys of ``provider``, resolved as for its calls (credentials Secret, then
    the workspace's stored key)."""
    try:
        async with context.sessionmaker() as db_session:
            inputs = await gather_inputs(
                db_session=db_session,
                kube=context.kube,
                namespace=namespace,
                name=agent,
                resource=resource,
                uses=frozenset({SecretUse.CREDENTIALS}),
            )
            return await resolve_keys(
                db_session=db_session,
                keyring=context.keyring,
                inputs=inputs,
                providers={provider},
            )
    except ApiError as exc:
        raise AnalysisFailed(FailureReason.CREDENTIALS_ERROR, exc.message) from exc


async def _llm_key(
    context: AnalysisContext,
    call: asyncpg.Record,
    resource: dict[str, Any],
    spec: VoiceAgentSpec,
) -> str:
    """The agent's LLM key (kept for a few seconds); a server at the agent's own ``baseURL``
    may do without one."""
    namespace, agent = call["namespace"], call["agent"]
    meta = resource.get("metadata") or {}
    cache_key = (
        call["workspace_id"],
        call["keys_version"],
        str(meta.get("uid", "")),
        str(meta.get("resourceVersion", "")),
    )
    cache = context.keys if all(cache_key[2:]) else None
    known = cache.get(cache_key) if cache is not None else None
    if known is not None:
        return known
    provider = KEY_OF[spec.llm.provider]
    keys = await _resolve_keys(context, namespace, agent, resource, provider)
    if provider in keys:
        if cache is not None:
            cache.put(cache_key, keys[provider])
        return keys[provider]
    if spec.llm.base_url:
        return NO_KEY
    raise AnalysisFailed(FailureReason.NO_KEY, missing_keys_message(namespace, [provider]))


def _transcript(call: asyncpg.Record, max_chars: int) -> str:
    segments = list(zip(call["roles"] or [], call["texts"] or [], strict=True))
    text = transcript_text(segments, max_chars)
    if not text:
        raise AnalysisFailed(FailureReason.NO_TRANSCRIPT, "the call has no transcript")
    return text


async def _plan(context: AnalysisContext, call: asyncpg.Record) -> Plan | None:
    """What the analysis needs; None when the agent no longer asks for one."""
    namespace, agent = call["namespace"], call["agent"]
    if namespace is None:
        return None
    resource = await context.kube.get_voice_agent(namespace, agent)
    if resource is None:
        raise AnalysisFailed(FailureReason.INVALID_AGENT, f"agent {agent} is gone")
    spec = _parse(context.kube, resource, agent)
    if not spec.analysis.enabled:
        return None  # turned off since the call: nothing to do
    key = await _llm_key(context, call, resource, spec)
    transcript = _transcript(call, context.max_transcript_chars)
    return Plan(spec, spec.llm.base_url or context.default_base_url, key, transcript)


async def _extract(context: AnalysisContext, plan: Plan) -> Extraction:
    return await extract(
        context.client(plan.base_url, plan.api_key),
        model_name=plan.spec.llm.model,
        spec=plan.spec.analysis,
        shape=context.shape(plan.spec.analysis),
        transcript=plan.transcript,
        max_attempts=context.max_attempts,
        max_output_tokens=context.max_output_tokens,
    )


def _completed(session_id: uuid.UUID, plan: Plan, found: Extraction) -> dict[str, Any]:
    values = found.values
    return {
        "session_id": session_id,
        "state": AnalysisState.COMPLETED,
        "summary": values.get("summary"),
        "success": values.get("success"),
        "sentiment": values.get("sentiment"),
        "topics": values.get("topics"),
        "fields": values.get("fields", {}) if plan.spec.analysis.fields else None,
        "model": plan.spec.llm.model,
        "attempts": found.attempts,
        "input_tokens": found.input_tokens,
        "output_tokens": found.output_tokens,
    }


def _failed(session_id: uuid.UUID, failure: AnalysisFailed, plan: Plan | None) -> dict[str, Any]:
    # The reason and its words only: they never carry a key.
    log.info("analysis of session %s failed (%s): %s", session_id, failure.reason, failure.message)
    return {
        "session_id": session_id,
        "state": AnalysisState.FAILED,
        "reason": failure.reason,
        "error": failure.message,
        "model": plan.spec.llm.model if plan is not None else None,
        "attempts": failure.attempts,
    }


#: The call, its workspace, whether it is analysed already, and its transcript in order.
READ_CALL = """
SELECT s.agent, s.workspace_id, w.namespace, w.keys_version,
       a.session_id IS NOT NULL AS analysed, t.roles, t.texts
FROM sessions AS s
LEFT JOIN workspaces AS w ON w.id = s.workspace_id
LEFT JOIN session_analyses AS a ON a.session_id = s.id
LEFT JOIN LATERAL (
    SELECT array_agg(ts.role ORDER BY ts.started_at, ts.seq) AS roles,
           array_agg(ts.text ORDER BY ts.started_at, ts.seq) AS texts
    FROM transcript_segments AS ts
    WHERE ts.session_id = s.id
) AS t ON true
WHERE s.id = $1
"""

#: The analysis, unless one is stored, and then its AnalysisCompleted event, in one
#: statement; the event's id when this run stored it.
STORE = """
WITH stored AS (
    INSERT INTO session_analyses
        (session_id, state, reason, error, summary, success, sentiment, topics, fields, model,
         attempts, input_tokens, output_tokens, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12, $13, now())
    ON CONFLICT (session_id) DO NOTHING
    RETURNING session_id
), event AS (
    INSERT INTO outbox_events (id, type, session_id, created_at)
    SELECT $14, $15, session_id, now() FROM stored
    ON CONFLICT (session_id, type) DO NOTHING
    RETURNING id
)
SELECT EXISTS (SELECT 1 FROM stored) AS stored, (SELECT id FROM event) AS event_id
"""


async def analyse(context: AnalysisContext, session_id: uuid.UUID) -> bool:
    """Analyse the ended session unless it is analysed already; True when this run stored
    the analysis (completed or failed)."""
    plan: Plan | AnalysisFailed | None
    async with connection(context.sessionmaker) as conn:
        call = await conn.fetchrow(READ_CALL, session_id)
    if call is None or call["analysed"]:
        return False
    try:
        plan = await _plan(context, call)
    except AnalysisFailed as failure:
        plan = failure
    if plan is None:
        return False
    if isinstance(plan, AnalysisFailed):
        values = _failed(session_id, plan, None)
    else:
        try:
            values = _completed(session_id, plan, await _extract(context, plan))
        except AnalysisFailed as failure:
            values = _failed(session_id, failure, plan)
    return await _store(context.sessionmaker, values)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


async def _store(sessionmaker: async_sessionmaker[AsyncSession], values: dict[str, Any]) -> bool:
    """Insert the analysis and its AnalysisCompleted event, and enqueue the event's fan-out,
    in one transaction, unless an analysis is stored."""

    def text(name: str) -> str | None:
        value = values.get(name)
        return None if value is None else str(value)

    async with connection(sessionmaker) as conn, conn.transaction():
        row = await conn.fetchrow(
            STORE,
            values["session_id"],
            text("state"),
            text("reason"),
            values.get("error"),
            values.get("summary"),
            values.get("success"),
            text("sentiment"),
            _json(values.get("topics")),
            _json(values.get("fields")),
            values.get("model"),
            values.get("attempts", 0),
            values.get("input_tokens"),
            values.get("output_tokens"),
            uuid.uuid4(),
            WebhookEvent.ANALYSIS_COMPLETED.value,
        )
        if row is None or not row["stored"]:
            return False
        if row["event_id"] is not None:
            await enqueue_on(conn, Entrypoint.FAN_OUT, [{"event": str(row["event_id"])}])
    return True


async def session_analysis(
    db_session: AsyncSession, session: CallSession
) -> SessionAnalysisOut | None:
    """The stored analysis; Pending while a call that asked for one waits for it."""
    row = await db_session.get(SessionAnalysis, session.id)
    if row is not None:
        return analysis_out(row)
    if session.analysis_requested and session.ended_at is not None:
        return PENDING
    return None
