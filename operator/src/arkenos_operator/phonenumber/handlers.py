"""kopf handlers of the PhoneNumber feature: when to reconcile a line, and its deletion.

A line is reconciled on create, on spec updates, on resume and on a slow timer (drift in
Twilio or LiveKit). It is also reconciled when the VoiceAgent it references appears, goes,
becomes Ready or not, or changes its dispatch name: an index maps agents to the lines naming
them, and an event handler on VoiceAgents triggers exactly those lines — no polling.
Deletion runs behind the operator's finalizer and retries until everything is cleaned up.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import kopf
from pydantic import ValidationError

from arkenos_operator.context import OperatorContext, context_of
from arkenos_operator.kube import PHONE_NUMBERS, VOICE_AGENTS
from arkenos_operator.phonenumber.agent import agent_view
from arkenos_operator.phonenumber.cleanup import teardown
from arkenos_operator.phonenumber.line import Line, StepFailed
from arkenos_operator.phonenumber.provision import Services, reconcile, refuse_spec
from arkenos_operator.phonenumber.settings import PhoneNumberSettings
from arkenos_operator.phonenumber.twilio_client import make_http_client
from arkenos_operator.reconcile import Outcome, ReconcileError, Waiting, backoff_delay
from arkenos_operator.settings import OperatorSettings

RESOURCE = "phonenumber"
FEATURE_KEY = "phonenumber"
LINES = (PHONE_NUMBERS.group, PHONE_NUMBERS.version, PHONE_NUMBERS.plural)
AGENTS = (VOICE_AGENTS.group, VOICE_AGENTS.version, VOICE_AGENTS.plural)
AGENT_TRIGGER_ATTEMPTS = 5


def services_of(ctx: OperatorContext, settings: PhoneNumberSettings) -> Services:
    """The feature's clients, made on first use inside the operator's event loop."""
    services = ctx.features.get(FEATURE_KEY)
    if not isinstance(services, Services):
        session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=settings.livekit_timeout_seconds)
        )
        http = make_http_client(settings.twilio_base_url, settings.twilio_timeout_seconds)
        # The library logs every request and response at INFO: noise, not state.
        logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
        services = ctx.features[FEATURE_KEY] = Services(settings, http, session)
    return services


async def _already_written(_: ReconcileError) -> None:
    """The reconcile writes its conditions itself before raising."""


async def reconcile_line(
    ctx: OperatorContext,
    settings: PhoneNumberSettings,
    namespace: str,
    name: str,
    retry: int | None,
) -> Outcome:
    """Reconcile once: from a kopf handler (``retry`` given: failures become kopf's retries)
    or from elsewhere (``retry`` None: the outcome says how it went)."""

    async def run() -> None:
        # Read afresh under the lock: a timer's or an event's copy may predate the status
        # and annotations the previous reconcile wrote.
        current = await ctx.kube.get_or_none(PHONE_NUMBERS, namespace, name)
        if current is None or current["metadata"].get("deletionTimestamp"):
            return
        try:
            line = Line.from_body(current, ctx.kube)
        except ValidationError as error:
            await refuse_spec(ctx.kube, current, error)
        await reconcile(line, services_of(ctx, settings))

    if retry is None:
        return await ctx.runner.run(RESOURCE, namespace, name, run, _already_written)
    await ctx.runner.run_in_handler(RESOURCE, namespace, name, retry, run, _already_written)
    return Outcome()


async def reconcile_by_name(
    ctx: OperatorContext, settings: PhoneNumberSettings, namespace: str, name: str
) -> bool:
    """Reconcile a line because its agent changed, retrying what time can fix a few times
    (no kopf handler retries it for us). True when it converged or needs a person."""
    for attempt in range(AGENT_TRIGGER_ATTEMPTS):
        outcome = await reconcile_line(ctx, settings, namespace, name, retry=None)
        if not isinstance(outcome.error, Waiting):
            return True
        await asyncio.sleep(
            backoff_delay(
                attempt, ctx.settings.backoff_base_seconds, ctx.settings.backoff_max_seconds
            )
        )
    return False


async def delete_line(
    ctx: OperatorContext, settings: PhoneNumberSettings, body: dict[str, Any], retry: int
) -> None:
    line = Line.from_body(body, ctx.kube)

    async def run() -> None:
        try:
            await teardown(line, services_of(ctx, settings))
        except StepFailed as failed:
            # Deletion always retries: the finalizer stays until everything is gone.
            raise Waiting(failed.reason, failed.message) from failed

    await ctx.runner.run_in_handler(
        RESOURCE, line.namespace, line.name, retry, run, _already_written
    )
    ctx.runner.locks.forget(RESOURCE, line.namespace, line.name)


async def agent_changed(
    ctx: OperatorContext,
    settings: PhoneNumberSettings,
    namespace: str,
    agent: str,
    body: dict[str, Any] | None,
    lines: list[str],
) -> None:
    services = services_of(ctx, settings)
    view = agent_view(agent, namespace, body)
    fingerprint = (view.found, view.ready, view.dispatch_name)
    if services.agent_fingerprints.get((namespace, agent)) == fingerprint:
        return
    done = [await reconcile_by_name(ctx, settings, namespace, name) for name in sorted(set(lines))]
    # Remembered only once every line has caught up, so the agent's next event (or the
    # resync timer) tries again otherwise.
    if all(done):
        services.agent_fingerprints[(namespace, agent)] = fingerprint


def register(registry: kopf.OperatorRegistry, operator_settings: OperatorSettings) -> None:
    settings = PhoneNumberSettings.from_env()

    @kopf.on.resume(*LINES, registry=registry)
    @kopf.on.create(*LINES, registry=registry)
    @kopf.on.update(*LINES, field="spec", registry=registry)
    async def line_changed(
        namespace: str | None, name: str, retry: int, memo: kopf.Memo, **_: Any
    ) -> None:
        await reconcile_line(context_of(memo), settings, str(namespace), name, retry)

    @kopf.timer(
        *LINES,
        interval=settings.phonenumber_resync_seconds,
        initial_delay=settings.phonenumber_resync_seconds,
        registry=registry,
    )
    async def resync(namespace: str | None, name: str, memo: kopf.Memo, **_: Any) -> None:
        # Failures are written to the line's conditions; the next tick tries again.
        await reconcile_line(context_of(memo), settings, str(namespace), name, retry=None)

    @kopf.on.delete(*LINES, registry=registry)
    async def line_deleted(body: kopf.Body, retry: int, memo: kopf.Memo, **_: Any) -> None:
        await delete_line(context_of(memo), settings, _plain(body), retry)

    @kopf.index(*LINES, id="lines_by_agent", registry=registry)
    def lines_by_agent(
        namespace: str | None, name: str, spec: kopf.Spec, **_: Any
    ) -> dict[tuple[str | None, str], str]:
        agent = (spec.get("agentRef") or {}).get("name")
        return {(namespace, agent): name} if agent else {}

    @kopf.on.event(*AGENTS, registry=registry)
    async def voice_agent_event(
        type: str,
        namespace: str | None,
        name: str,
        body: kopf.Body,
        memo: kopf.Memo,
        **kwargs: Any,
    ) -> None:
        # kopf passes each index as a keyword named after its function.
        index: kopf.Index[tuple[str | None, str], str] = kwargs["lines_by_agent"]
        lines = list(index.get((namespace, name), []))
        if not lines or namespace is None:
            return
        current = None if type == "DELETED" else _plain(body)
        await agent_changed(context_of(memo), settings, namespace, name, current, lines)

    @kopf.on.cleanup(registry=registry)
    async def close_clients(memo: kopf.Memo, **_: Any) -> None:
        services = context_of(memo).features.pop(FEATURE_KEY, None)
        if isinstance(services, Services):
            await services.session.close()
            await asyncio.to_thread(_close_http, services)


def _close_http(services: Services) -> None:
    if services.twilio_http.session is not None:
        services.twilio_http.session.close()


def _plain(body: kopf.Body) -> dict[str, Any]:
    return {
        "metadata": dict(body.get("metadata") or {}),
        "spec": dict(body.get("spec") or {}),
        "status": dict(body.get("status") or {}),
    }
