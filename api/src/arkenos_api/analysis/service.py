"""The analysis job of one ended session, and the stored analysis as the API shows it.

Idempotent: the result is keyed by the session and inserted only if absent, with its
AnalysisCompleted event in the same transaction, so a job run twice (a crash after the insert,
before pgqueuer's acknowledgement) stores once and emits once. The model call happens outside
any transaction, so no database connection waits on the provider."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

import openai
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
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
from arkenos_api.core.errors import ApiError
from arkenos_api.core.kube import Kube
from arkenos_api.internal.config_build import missing_keys_message
from arkenos_api.internal.config_inputs import gather_inputs
from arkenos_api.internal.models import CallSession, TranscriptSegmentRow
from arkenos_api.internal.runtime_config import resolve_keys
from arkenos_api.jobs.events import record_event
from arkenos_api.jobs.kube_cache import voice_agent_spec
from arkenos_api.keys.crypto import Keyring
from arkenos_api.settings import Settings
from arkenos_api.workspaces.models import Workspace
from arkenos_crds.runtime import KEY_OF
from arkenos_crds.secret_refs import SecretUse
from arkenos_crds.voiceagent import AnalysisSpec, VoiceAgentSpec, WebhookEvent

log = logging.getLogger(__name__)

#: A self-hosted OpenAI-compatible server may want no key; the SDK still needs one (as the
#: worker does).
NO_KEY = "unused"
#: Past this many distinct analysis specs, the remembered shapes start again.
MAX_SHAPES = 256
MAX_CLIENTS = 256


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


async def _llm_key(
    db_session: AsyncSession,
    context: AnalysisContext,
    namespace: str,
    agent: str,
    resource: dict[str, Any],
    spec: VoiceAgentSpec,
) -> str:
    """The agent's LLM key, resolved as for the agent's calls (credentials Secret, then the
    workspace's stored key); a server at the agent's own ``baseURL`` may do without one."""
    provider = KEY_OF[spec.llm.provider]
    try:
        inputs = await gather_inputs(
            db_session=db_session,
            kube=context.kube,
            namespace=namespace,
            name=agent,
            resource=resource,
            uses=frozenset({SecretUse.CREDENTIALS}),
        )
        keys = await resolve_keys(
            db_session=db_session, keyring=context.keyring, inputs=inputs, providers={provider}
        )
    except ApiError as exc:
        raise AnalysisFailed(FailureReason.CREDENTIALS_ERROR, exc.message) from exc
    if provider in keys:
        return keys[provider]
    if spec.llm.base_url:
        return NO_KEY
    raise AnalysisFailed(FailureReason.NO_KEY, missing_keys_message(namespace, [provider]))


async def _transcript(db_session: AsyncSession, session_id: uuid.UUID, max_chars: int) -> str:
    rows = await db_session.execute(
        select(TranscriptSegmentRow.role, TranscriptSegmentRow.text)
        .where(TranscriptSegmentRow.session_id == session_id)
        .order_by(TranscriptSegmentRow.started_at, TranscriptSegmentRow.seq)
    )
    text = transcript_text([(role, line) for role, line in rows], max_chars)
    if not text:
        raise AnalysisFailed(FailureReason.NO_TRANSCRIPT, "the call has no transcript")
    return text


async def _plan(
    db_session: AsyncSession, context: AnalysisContext, session: CallSession, namespace: str | None
) -> Plan | None:
    """What the analysis needs; None when the agent no longer asks for one."""
    if namespace is None:
        return None
    resource = await context.kube.get_voice_agent(namespace, session.agent)
    if resource is None:
        raise AnalysisFailed(FailureReason.INVALID_AGENT, f"agent {session.agent} is gone")
    spec = _parse(context.kube, resource, session.agent)
    if not spec.analysis.enabled:
        return None  # turned off since the call: nothing to do
    key = await _llm_key(db_session, context, namespace, session.agent, resource, spec)
    transcript = await _transcript(db_session, session.id, context.max_transcript_chars)
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


async def analyse(context: AnalysisContext, session_id: uuid.UUID) -> bool:
    """Analyse the ended session unless it is analysed already; True when this run stored
    the analysis (completed or failed)."""
    plan: Plan | AnalysisFailed | None
    async with context.sessionmaker() as db_session:
        # The call, its namespace and whether it is analysed already, in one round trip.
        row = (
            await db_session.execute(
                select(CallSession, Workspace.namespace, SessionAnalysis.session_id)
                .outerjoin(Workspace, Workspace.id == CallSession.workspace_id)
                .outerjoin(SessionAnalysis, SessionAnalysis.session_id == CallSession.id)
                .where(CallSession.id == session_id)
            )
        ).first()
        if row is None or row[2] is not None:
            return False
        session, namespace = row[0], row[1]
        try:
            plan = await _plan(db_session, context, session, namespace)
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


async def _store(sessionmaker: async_sessionmaker[AsyncSession], values: dict[str, Any]) -> bool:
    """Insert the analysis and its AnalysisCompleted event together, unless one is stored."""
    async with sessionmaker() as db_session:
        stored = await db_session.scalar(
            insert(SessionAnalysis)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["session_id"])
            .returning(SessionAnalysis.session_id)
        )
        if stored is not None:
            await record_event(db_session, stored, WebhookEvent.ANALYSIS_COMPLETED)
        await db_session.commit()
    return stored is not None


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
