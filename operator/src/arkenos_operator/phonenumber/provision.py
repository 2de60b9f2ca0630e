"""One reconcile of a PhoneNumber: the steps in order, each reported in its own condition,
and Ready summarising them together with the referenced VoiceAgent's readiness.

A step that fails marks its condition False with the reason, marks the later ones Unknown
(waiting on it), and ends the reconcile: :class:`Waiting` when time can fix it (throttling,
outages, a Secret not there yet), :class:`Invalid` when a person has to act first (the
service refused, the spec asks for something impossible).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, NoReturn

import aiohttp
from pydantic import ValidationError
from twilio.http.http_client import TwilioHttpClient

from arkenos_crds.phonenumber import PhoneNumberConditionType as C
from arkenos_crds.phonenumber import PhoneNumberSpec
from arkenos_operator.conditions import READY, ConditionSet
from arkenos_operator.kube import PHONE_NUMBERS, KubeClient
from arkenos_operator.phonenumber.agent import AgentView, fetch_agent
from arkenos_operator.phonenumber.credentials import livekit_credentials, twilio_credentials
from arkenos_operator.phonenumber.dispatch import ensure_livekit
from arkenos_operator.phonenumber.line import Line, StepFailed
from arkenos_operator.phonenumber.livekit_client import LiveKitClient
from arkenos_operator.phonenumber.number import ensure_number
from arkenos_operator.phonenumber.settings import PhoneNumberSettings
from arkenos_operator.phonenumber.trunk import ensure_trunk
from arkenos_operator.phonenumber.twilio_client import TwilioClient
from arkenos_operator.reconcile import Invalid, Waiting

STEPS: tuple[str, ...] = (C.NUMBER_READY, C.TRUNK_READY, C.DISPATCH_READY)
#: Pins the number a line was created with (spec.number / spec.purchase), so a changed spec is
#: refused on every reconcile, not only on the update that changed it.
IDENTITY_ANNOTATION = "arkenos.io/number-identity"


@dataclass
class Services:
    """Long-lived clients of the feature, created in the operator's loop at first use."""

    settings: PhoneNumberSettings
    twilio_http: TwilioHttpClient
    session: aiohttp.ClientSession
    #: Last seen (exists, ready, dispatch name) per VoiceAgent, to skip events that change
    #: nothing a line depends on.
    agent_fingerprints: dict[tuple[str, str], tuple[bool, bool, str | None]] = field(
        default_factory=dict
    )

    def twilio(self, account_sid: str, auth_token: str) -> TwilioClient:
        return TwilioClient(account_sid, auth_token, self.twilio_http)

    def livekit(self, url: str, api_key: str, api_secret: str) -> LiveKitClient:
        return LiveKitClient(url, api_key, api_secret, self.session)


def identity(spec: PhoneNumberSpec) -> str:
    wire = spec.to_wire()
    return json.dumps({k: wire[k] for k in ("number", "purchase") if k in wire}, sort_keys=True)


async def check_identity(line: Line) -> None:
    pinned = line.annotations.get(IDENTITY_ANNOTATION)
    if pinned is None:
        annotations = {IDENTITY_ANNOTATION: identity(line.spec)}
        await line.kube.patch(
            PHONE_NUMBERS, line.namespace, line.name, {"metadata": {"annotations": annotations}}
        )
        line.annotations.update(annotations)
        return
    if pinned == identity(line.spec):
        return
    unpinned = {k: v for k, v in line.spec.to_wire().items() if k not in ("number", "purchase")}
    old = PhoneNumberSpec.model_validate({**unpinned, **json.loads(pinned)})
    problems = line.spec.check_transition(old) or ["the number of a line cannot change"]
    raise StepFailed(C.NUMBER_READY, "ImmutableFieldChanged", "; ".join(problems), retry=False)


async def reconcile(line: Line, services: Services) -> None:
    conditions = ConditionSet(line.status.get("conditions"), STEPS, line.generation)
    agent: AgentView | None = None
    failure: StepFailed | None = None
    try:
        agent = await _provision(line, services, conditions)
    except StepFailed as failed:
        failure = failed
        conditions.mark_false(failed.condition, failed.reason, failed.message)
        for later in STEPS[STEPS.index(failed.condition) + 1 :]:
            conditions.mark_unknown(later, "Waiting", f"Waiting for {failed.condition}.")
    conditions.summarize(_ready_message(line))
    if failure is None and agent is not None and not agent.ready:
        detail = f": {agent.message}" if agent.message else "."
        conditions.mark_false(
            READY, "AgentNotReady", f"VoiceAgent {agent.name} is not Ready{detail}"
        )
    await line.save({"conditions": conditions.to_wire(), "observedGeneration": line.generation})
    if failure is not None:
        raise (Waiting if failure.retry else Invalid)(failure.reason, failure.message)


async def refuse_spec(kube: KubeClient, body: dict[str, Any], error: ValidationError) -> NoReturn:
    """A spec the API server's schema would have refused: say so, touch nothing."""
    status = body.get("status") or {}
    generation = body["metadata"].get("generation")
    conditions = ConditionSet(status.get("conditions"), STEPS, generation)
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'spec'}: {e['msg']}" for e in error.errors()
    )
    message = f"The spec is invalid: {problems}"
    conditions.mark_false(C.NUMBER_READY, "InvalidSpec", message)
    conditions.summarize()
    metadata = body["metadata"]
    await kube.patch_status(
        PHONE_NUMBERS,
        metadata["namespace"],
        metadata["name"],
        {"conditions": conditions.to_wire(), "observedGeneration": generation},
    )
    raise Invalid("InvalidSpec", message)


async def _provision(line: Line, services: Services, conditions: ConditionSet) -> AgentView:
    await check_identity(line)
    twilio_keys = await twilio_credentials(line, services.settings)
    twilio = services.twilio(twilio_keys.account_sid, twilio_keys.auth_token)
    number = await ensure_number(line, twilio)
    conditions.mark_true(C.NUMBER_READY, "Owned", f"{number.phone_number} ({number.sid}).")
    credential = await ensure_trunk(line, twilio, number, services.settings.livekit_sip_uri)
    outbound = " and places outbound calls" if credential else ""
    conditions.mark_true(
        C.TRUNK_READY, "Configured", f"The Elastic SIP trunk sends calls to LiveKit{outbound}."
    )
    keys = await livekit_credentials(line, services.settings)
    agent = await fetch_agent(line.kube, line.namespace, line.spec.agent_ref.name)
    await ensure_livekit(
        line,
        services.livekit(keys.url, keys.api_key, keys.api_secret),
        number.phone_number,
        agent,
        credential,
        services.settings.livekit_inbound_allowed_addresses,
    )
    conditions.mark_true(
        C.DISPATCH_READY, "Routed", f"Calls are dispatched to {agent.dispatch_name}."
    )
    return agent


def _ready_message(line: Line) -> str:
    number = line.status.get("phoneNumber", "The number")
    return f"{number} is answered by VoiceAgent {line.spec.agent_ref.name}."
