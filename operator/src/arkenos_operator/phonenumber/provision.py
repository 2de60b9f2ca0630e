"""One reconcile of a PhoneNumber: the steps in order, each reported in its own condition,
and Ready summarising them together with the referenced VoiceAgent's readiness.

A step that fails marks its condition False with the reason, marks the later ones Unknown
(waiting on it), and ends the reconcile: :class:`Waiting` when time can fix it (throttling,
outages, a Secret not there yet), :class:`Invalid` when a person has to act first (the
service refused, the spec asks for something impossible).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiohttp
from twilio.http.http_client import TwilioHttpClient

from arkenos_crds.phonenumber import PhoneNumberConditionType as C
from arkenos_crds.phonenumber import PhoneNumberSpec
from arkenos_operator.conditions import READY, ConditionSet
from arkenos_operator.kernel.errors import ReconcileError
from arkenos_operator.kernel.reasons import Reason
from arkenos_operator.kube import PHONE_NUMBERS, KubeClient
from arkenos_operator.phonenumber.agent import AgentView, fetch_agent
from arkenos_operator.phonenumber.credentials import livekit_credentials, twilio_credentials
from arkenos_operator.phonenumber.dispatch import ensure_livekit
from arkenos_operator.phonenumber.line import STEPS, Line, step_conditions
from arkenos_operator.phonenumber.livekit_client import LiveKitClient
from arkenos_operator.phonenumber.number import ensure_number
from arkenos_operator.phonenumber.settings import PhoneNumberSettings
from arkenos_operator.phonenumber.trunk import ensure_trunk
from arkenos_operator.phonenumber.twilio_client import TwilioClient

#: Pins the number a line was created with (spec.number / spec.purchase), so a changed spec is
#: refused on every reconcile, not only on the update that changed it.
IDENTITY_ANNOTATION = "arkenos.io/number-identity"


@dataclass
class Services:
    """Long-lived clients of the feature, created in the operator's loop at first use."""

    settings: PhoneNumberSettings
    twilio_http: TwilioHttpClient
    session: aiohttp.ClientSession

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
    raise ReconcileError(
        Reason.IMMUTABLE_FIELD_CHANGED,
        "; ".join(problems),
        condition=C.NUMBER_READY,
    )


@dataclass(frozen=True)
class LineReconciler:
    """One reconcile of a line; the kernel's runner locks, writes status, maps to kopf."""

    kube: KubeClient
    services: Services
    resource = "phonenumber"
    kind = PHONE_NUMBERS

    async def fetch(self, obj: dict[str, Any]) -> Line:
        return Line.from_body(obj, self.kube)

    async def reconcile(self, obj: dict[str, Any], line: Line) -> dict[str, Any]:
        agent = await _provision(line, self.services, line.conditions)
        line.conditions.summarize(_ready_message(line))
        if not agent.ready:
            detail = f": {agent.message}" if agent.message else "."
            line.conditions.mark_false(
                READY, "AgentNotReady", f"VoiceAgent {agent.name} is not Ready{detail}"
            )
        return _status(line.conditions, line.generation)

    def failed(
        self, obj: dict[str, Any], line: Line | None, error: ReconcileError
    ) -> dict[str, Any]:
        """The failed step False with the reason, the later ones Unknown (waiting on it)."""
        conditions = line.conditions if line is not None else step_conditions(obj)
        conditions.mark_false(error.condition, error.reason, error.message)
        if error.condition in STEPS:
            for later in STEPS[STEPS.index(error.condition) + 1 :]:
                conditions.mark_unknown(later, "Waiting", f"Waiting for {error.condition}.")
        conditions.summarize()
        return _status(conditions, obj["metadata"].get("generation"))


def _status(conditions: ConditionSet, generation: int | None) -> dict[str, Any]:
    return {"conditions": conditions.to_wire(), "observedGeneration": generation}


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
