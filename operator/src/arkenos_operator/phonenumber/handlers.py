"""kopf handlers of the PhoneNumber feature: when to reconcile a line, and its deletion.

A line is reconciled on create, on spec updates, on resume and on a slow timer (drift in
Twilio or LiveKit). It is also reconciled when the VoiceAgent it references appears, goes,
becomes Ready or not, or changes its dispatch name: an index maps agents to the lines naming
them, and an event handler on VoiceAgents writes what it saw of the agent into an annotation
of exactly those lines. That annotation change is an update kopf handles like any other, with
kopf's own retries and backoff: nothing waits or loops inside the agent's event handler.
Deletion runs behind the operator's finalizer and retries until everything is cleaned up.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any

import aiohttp
import kopf
from kubernetes_asyncio.client.exceptions import ApiException

from arkenos_operator.context import OperatorContext, context_of
from arkenos_operator.kernel.errors import ReconcileError
from arkenos_operator.kernel.persistence import register_forgetting
from arkenos_operator.kernel.runner import Outcome
from arkenos_operator.kube import PHONE_NUMBERS, VOICE_AGENTS
from arkenos_operator.phonenumber.agent import AgentView, agent_view
from arkenos_operator.phonenumber.cleanup import teardown
from arkenos_operator.phonenumber.line import Line
from arkenos_operator.phonenumber.provision import LineReconciler, Services
from arkenos_operator.phonenumber.settings import PhoneNumberSettings
from arkenos_operator.phonenumber.twilio_client import make_http_client
from arkenos_operator.settings import OperatorSettings

RESOURCE = "phonenumber"
MEMO_KEY = "phonenumber"
LINES = (PHONE_NUMBERS.group, PHONE_NUMBERS.version, PHONE_NUMBERS.plural)
AGENTS = (VOICE_AGENTS.group, VOICE_AGENTS.version, VOICE_AGENTS.plural)
#: What the line last heard of its agent (a fingerprint of exists / ready / dispatch name).
AGENT_ANNOTATION = "arkenos.io/agent-observed"
#: kopf passes an index to handlers under its id.
LINE_INDEX = "lines_by_agent"


def services_of(memo: Any) -> Services:
    services = memo.get(MEMO_KEY) if isinstance(memo, kopf.Memo) else None
    if not isinstance(services, Services):
        raise RuntimeError("The PhoneNumber clients are missing from kopf's memo.")
    return services


def reconciler(memo: Any) -> LineReconciler:
    return LineReconciler(context_of(memo).kube, services_of(memo))


def agent_fingerprint(view: AgentView) -> str:
    seen = f"{view.found}/{view.ready}/{view.dispatch_name}"
    return hashlib.blake2b(seen.encode(), digest_size=8).hexdigest()


async def delete_line(
    ctx: OperatorContext, services: Services, body: dict[str, Any], retry: int
) -> None:
    async def step() -> Outcome:
        try:
            await teardown(Line.from_body(body, ctx.kube), services)
        except ReconcileError as error:
            return Outcome(error)
        return Outcome()

    meta = body["metadata"]
    # Deletion always retries, whatever the reason: the finalizer stays until all is gone.
    await ctx.runner.guard(
        RESOURCE, meta["namespace"], meta["name"], retry, step, always_retry=True
    )


async def tell_lines(
    ctx: OperatorContext, namespace: str, view: AgentView, lines: list[tuple[str, str | None]]
) -> None:
    """Annotate each line whose record of the agent is out of date; kopf then reconciles it."""
    fingerprint = agent_fingerprint(view)
    patch = {"metadata": {"annotations": {AGENT_ANNOTATION: fingerprint}}}
    for name, seen in sorted(set(lines)):
        if seen == fingerprint:
            continue
        try:
            await ctx.kube.patch(PHONE_NUMBERS, namespace, name, patch)
        except ApiException as error:
            if error.status != 404:  # a line deleted meanwhile needs nothing
                raise


def register(registry: kopf.OperatorRegistry, operator_settings: OperatorSettings) -> None:
    settings = PhoneNumberSettings.from_env()

    @kopf.on.startup(id="phonenumber-start", registry=registry)
    async def start(memo: kopf.Memo, **_: Any) -> None:
        session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=settings.livekit_timeout_seconds)
        )
        http = make_http_client(settings.twilio_base_url, settings.twilio_timeout_seconds)
        # The library logs every request and response at INFO: noise, not state.
        logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
        memo[MEMO_KEY] = Services(settings, http, session)

    register_forgetting(registry, LINES, lambda memo: context_of(memo).handled)

    @kopf.on.resume(*LINES, registry=registry)
    @kopf.on.create(*LINES, registry=registry)
    @kopf.on.update(*LINES, field="spec", registry=registry)
    @kopf.on.update(
        *LINES,
        field=("metadata", "annotations", AGENT_ANNOTATION),
        id="agent-changed",
        registry=registry,
    )
    async def line_changed(
        namespace: str | None, name: str, retry: int, memo: kopf.Memo, **_: Any
    ) -> None:
        await context_of(memo).runner.handle(reconciler(memo), str(namespace), name, retry)

    @kopf.timer(
        *LINES,
        interval=settings.phonenumber_resync_seconds,
        initial_delay=settings.phonenumber_resync_seconds,
        registry=registry,
    )
    async def resync(namespace: str | None, name: str, memo: kopf.Memo, **_: Any) -> None:
        # Failures are written to the line's conditions; the next tick tries again.
        await context_of(memo).runner.run(reconciler(memo), str(namespace), name)

    @kopf.on.delete(*LINES, registry=registry)
    async def line_deleted(body: kopf.Body, retry: int, memo: kopf.Memo, **_: Any) -> None:
        await delete_line(context_of(memo), services_of(memo), _plain(body), retry)

    @kopf.index(*LINES, id=LINE_INDEX, registry=registry)
    async def lines_by_agent(
        namespace: str | None, name: str, spec: kopf.Spec, annotations: kopf.Annotations, **_: Any
    ) -> dict[tuple[str | None, str], tuple[str, str | None]]:
        agent = (spec.get("agentRef") or {}).get("name")
        return {(namespace, agent): (name, annotations.get(AGENT_ANNOTATION))} if agent else {}

    def has_lines(namespace: str | None, name: str, **kwargs: Any) -> bool:
        """Whether any line names this agent: most agents have none, and a filter is far
        cheaper than invoking (and logging) a handler on every agent's every event."""
        index: kopf.Index[tuple[str | None, str], tuple[str, str | None]] = kwargs[LINE_INDEX]
        return (namespace, name) in index

    @kopf.on.event(*AGENTS, when=has_lines, registry=registry)
    async def voice_agent_event(
        type: str,
        namespace: str | None,
        name: str,
        body: kopf.Body,
        memo: kopf.Memo,
        **kwargs: Any,
    ) -> None:
        index: kopf.Index[tuple[str | None, str], tuple[str, str | None]] = kwargs[LINE_INDEX]
        lines = list(index.get((namespace, name), []))
        if not lines or namespace is None:
            return
        view = agent_view(name, namespace, None if type == "DELETED" else _plain(body))
        await tell_lines(context_of(memo), namespace, view, lines)

    @kopf.on.cleanup(registry=registry)
    async def close_clients(memo: kopf.Memo, **_: Any) -> None:
        services = services_of(memo)
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
