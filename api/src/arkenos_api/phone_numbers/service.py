"""Phone lines as PhoneNumber resources in the workspace's namespace: search Twilio's inventory,
buy (a line pinned to the chosen number; the operator makes the purchase), adopt an owned
number, list with the operator's status, re-assign the agent, and release.

The resource is the only copy of a line; Twilio is asked only what the operator cannot answer
ahead of time (what is for sale, whether the account owns a number).
"""

from __future__ import annotations

from typing import Any

from kubernetes_asyncio.client.exceptions import ApiException
from pydantic import ValidationError

from arkenos_api.core.errors import ApiError, FieldIssue, not_found, validation_error
from arkenos_api.core.kube import Kube
from arkenos_api.phone_numbers import manifests
from arkenos_api.phone_numbers.credentials import keep_twilio_secret
from arkenos_api.phone_numbers.schemas import (
    AvailableNumberOut,
    AvailableNumbersOut,
    Capabilities,
    CredentialsSource,
    PhoneNumberAdopt,
    PhoneNumberBuy,
    PhoneNumberOut,
    ReadyOut,
)
from arkenos_api.phone_numbers.twilio_client import TwilioNumbers
from arkenos_crds.phonenumber import PhoneNumberConditionType, PhoneNumberSpec, PhoneNumberStatus
from arkenos_crds.validation import validate_manifest


def source(own: bool) -> CredentialsSource:
    return CredentialsSource.WORKSPACE if own else CredentialsSource.PLATFORM


async def search(
    twilio: TwilioNumbers,
    own: bool,
    *,
    country: str,
    number_type: str,
    area_code: str | None,
    contains: str | None,
    voice: bool | None,
    limit: int,
) -> AvailableNumbersOut:
    found = await twilio.search_available(
        country=country,
        number_type=number_type,
        area_code=area_code,
        contains=contains,
        voice=voice,
        limit=limit,
    )
    numbers = [
        AvailableNumberOut(
            phone_number=n.phone_number,
            friendly_name=n.friendly_name,
            locality=n.locality,
            region=n.region,
            postal_code=n.postal_code,
            iso_country=n.iso_country,
            address_requirements=n.address_requirements,
            capabilities=Capabilities(**n.capabilities),
        )
        for n in found
    ]
    return AvailableNumbersOut(credentials=source(own), numbers=numbers)


def to_out(resource: dict[str, Any]) -> PhoneNumberOut:
    metadata = resource.get("metadata", {})
    name = metadata.get("name", "")
    try:
        spec = PhoneNumberSpec.model_validate(resource.get("spec", {}))
        status = (
            PhoneNumberStatus.model_validate(resource["status"]) if resource.get("status") else None
        )
    except ValidationError as exc:
        raise ApiError(
            502, "invalid_resource", f"PhoneNumber {name} in the cluster is invalid: {exc}"
        ) from exc
    ready = next(
        (
            c
            for c in (status.conditions if status else [])
            if c.type == PhoneNumberConditionType.READY
        ),
        None,
    )
    asked = spec.number or (spec.purchase.phone_number if spec.purchase else None)
    own = bool(spec.credentials and spec.credentials.twilio)
    return PhoneNumberOut(
        name=name,
        namespace=metadata.get("namespace", ""),
        uid=metadata.get("uid"),
        resource_version=metadata.get("resourceVersion"),
        generation=metadata.get("generation"),
        created_at=metadata.get("creationTimestamp"),
        phone_number=(status.phone_number if status else None) or asked,
        agent=spec.agent_ref.name,
        credentials=source(own),
        ready=(
            ReadyOut(status=str(ready.status), reason=ready.reason, message=ready.message)
            if ready
            else ReadyOut(
                status="Unknown",
                reason="Pending",
                message="the operator has not reported on this line yet",
            )
        ),
        spec=spec,
        status=status,
    )


async def list_lines(*, kube: Kube, namespace: str) -> list[PhoneNumberOut]:
    items = await kube.list_phone_numbers(namespace)
    return sorted((to_out(item) for item in items), key=lambda line: line.name)


async def get_line(*, kube: Kube, namespace: str, name: str) -> PhoneNumberOut:
    return to_out(await _current(kube, namespace, name))


async def _current(kube: Kube, namespace: str, name: str) -> dict[str, Any]:
    resource = await kube.get_phone_number(namespace, name)
    if resource is None:
        raise not_found(f"phone number {name}")
    return resource


async def _require_agent(kube: Kube, namespace: str, agent: str) -> None:
    if await kube.get_voice_agent(namespace, agent) is None:
        raise ApiError(
            422, "agent_not_found", f"agent {agent} does not exist in this workspace", "agent"
        )


async def buy(
    *, kube: Kube, twilio: TwilioNumbers, own: bool, namespace: str, body: PhoneNumberBuy
) -> PhoneNumberOut:
    """A line pinned to ``body.phone_number``, after checking Twilio still sells it."""
    await _require_agent(kube, namespace, body.agent)
    offered = await twilio.search_available(
        country=body.country,
        number_type=body.number_type,
        area_code=None,
        contains=body.phone_number,  # Twilio reads a leading + as "starts with"
        voice=True,
        limit=20,
    )
    if body.phone_number not in {n.phone_number for n in offered}:
        raise ApiError(
            409,
            "number_not_available",
            f"Twilio no longer offers {body.phone_number} ({body.country}, {body.number_type}): "
            "search again and pick another number",
            "phoneNumber",
        )
    purchase = {
        "country": body.country,
        "numberType": body.number_type,
        "phoneNumber": body.phone_number,
    }
    spec = manifests.line_spec(
        agent=body.agent,
        inbound=body.inbound,
        outbound=body.outbound,
        own_account=own,
        purchase=purchase,
    )
    return await _create(kube, twilio, own, namespace, body.name, spec)


async def adopt(
    *, kube: Kube, twilio: TwilioNumbers, own: bool, namespace: str, body: PhoneNumberAdopt
) -> PhoneNumberOut:
    """A line for a number the account owns, after checking that it does."""
    await _require_agent(kube, namespace, body.agent)
    if await twilio.find_owned(body.phone_number) is None:
        account = "the workspace's" if own else "the platform's"
        raise ApiError(
            422,
            "number_not_owned",
            f"{account} Twilio account does not own {body.phone_number}: buy it, or port it "
            "into the account first",
            "phoneNumber",
        )
    spec = manifests.line_spec(
        agent=body.agent,
        inbound=body.inbound,
        outbound=body.outbound,
        own_account=own,
        number=body.phone_number,
    )
    return await _create(kube, twilio, own, namespace, body.name, spec)


async def _create(
    kube: Kube, twilio: TwilioNumbers, own: bool, namespace: str, name: str, spec: dict[str, Any]
) -> PhoneNumberOut:
    manifest = manifests.build_phone_number(namespace, name, spec, None)
    errors = validate_manifest(manifest)
    if errors:
        raise validation_error([FieldIssue(field=e.field, message=e.message) for e in errors])
    if await kube.get_phone_number(namespace, name) is not None:
        raise _exists(name)
    if own:
        await keep_twilio_secret(kube, namespace, twilio.account)
    try:
        created = await kube.create_phone_number(namespace, manifest)
    except ApiException as exc:
        if exc.status == 409:
            raise _exists(name) from exc
        raise
    return to_out(created)


def _exists(name: str) -> ApiError:
    return ApiError(409, "phone_number_exists", f"phone number {name} already exists", "name")


async def assign_agent(
    *, kube: Kube, namespace: str, name: str, agent: str, resource_version: str
) -> PhoneNumberOut:
    """Point the line at ``agent`` if nobody changed it since ``resource_version`` (compared
    here, and sent in the patch so the API server refuses a change that races in between)."""
    current = await _current(kube, namespace, name)
    _check_version(current, name, resource_version)
    await _require_agent(kube, namespace, agent)
    try:
        updated = await kube.patch_phone_number(
            namespace, name, manifests.agent_patch(agent, resource_version)
        )
    except ApiException as exc:
        if exc.status == 409:
            raise _stale(name, resource_version, None) from exc
        raise
    return to_out(updated)


async def release(*, kube: Kube, namespace: str, name: str, resource_version: str | None) -> None:
    """Delete the line with releasePolicy Release: the operator gives the number back to
    Twilio before the resource goes."""
    current = await _current(kube, namespace, name)
    if resource_version is not None:
        _check_version(current, name, resource_version)
    version = current.get("metadata", {}).get("resourceVersion", "")
    try:
        patched = await kube.patch_phone_number(namespace, name, manifests.release_patch(version))
        await kube.delete_phone_number(
            namespace, name, patched.get("metadata", {}).get("resourceVersion", "")
        )
    except ApiException as exc:
        if exc.status == 404:
            raise not_found(f"phone number {name}") from exc
        if exc.status == 409:
            raise _stale(name, version, None) from exc
        raise


def _check_version(current: dict[str, Any], name: str, resource_version: str) -> None:
    current_version = current.get("metadata", {}).get("resourceVersion")
    if current_version != resource_version:
        raise _stale(name, resource_version, current_version)


def _stale(name: str, sent: str, current: str | None) -> ApiError:
    now = f" (now {current})" if current else ""
    return ApiError(
        409,
        "conflict",
        f"phone number {name} changed since resourceVersion {sent}{now}: read it again and retry",
        "resourceVersion",
    )
