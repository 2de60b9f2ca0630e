"""HTTP routes of phone numbers: thin wrappers over the PhoneNumber resources and a Twilio
inventory search."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, status

from arkenos_api.core.errors import ErrorBody
from arkenos_api.core.roles import Role
from arkenos_api.deps import (
    KeyringDep,
    KubeDep,
    SessionDep,
    SettingsDep,
    TwilioHttpDep,
    WorkspaceDep,
    requires,
)
from arkenos_api.phone_numbers import service
from arkenos_api.phone_numbers.credentials import is_own, twilio_account
from arkenos_api.phone_numbers.schemas import (
    AgentAssign,
    AvailableNumbersOut,
    NumberType,
    PhoneNumberAdopt,
    PhoneNumberBuy,
    PhoneNumberOut,
)
from arkenos_api.phone_numbers.twilio_client import TwilioNumbers
from arkenos_crds.meta import DNS_LABEL

_ERRORS: dict[int | str, dict[str, Any]] = {403: {"model": ErrorBody}, 404: {"model": ErrorBody}}
_TWILIO_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Twilio refused the request (its message)."},
    424: {"model": ErrorBody, "description": "No Twilio account, or Twilio refused it."},
    429: {"model": ErrorBody, "description": "Twilio throttles the account."},
}
router = APIRouter(
    prefix="/api/v1/workspaces/{workspace}/phone-numbers", tags=["phone-numbers"], responses=_ERRORS
)
search_router = APIRouter(
    prefix="/api/v1/workspaces/{workspace}/available-phone-numbers",
    tags=["phone-numbers"],
    responses=_ERRORS,
)

LineName = Annotated[
    str,
    Path(max_length=63, pattern=DNS_LABEL, description="PhoneNumber name.", examples=["support"]),
]


async def _twilio(
    ctx: WorkspaceDep,
    db_session: SessionDep,
    keyring: KeyringDep,
    settings: SettingsDep,
    http: TwilioHttpDep,
) -> TwilioNumbers:
    account = await twilio_account(
        db_session=db_session, keyring=keyring, settings=settings, workspace_id=ctx.workspace.id
    )
    return TwilioNumbers(account, http)


TwilioDep = Annotated[TwilioNumbers, Depends(_twilio)]


@search_router.get("", openapi_extra=requires(Role.DEVELOPER), responses=_TWILIO_ERRORS)
async def search_numbers(
    twilio: TwilioDep,
    country: Annotated[str, Query(pattern=r"^[A-Z]{2}$", examples=["US"])] = "US",
    number_type: Annotated[NumberType, Query(alias="numberType")] = "Local",
    area_code: Annotated[
        str | None, Query(alias="areaCode", pattern=r"^[0-9]{2,5}$", examples=["415"])
    ] = None,
    contains: Annotated[
        str | None,
        Query(
            pattern=r"^\+?[0-9A-Za-z*%]{2,15}\$?$",
            description="Twilio's pattern: digits or letters, * one digit, % any digits.",
            examples=["555"],
        ),
    ] = None,
    voice: Annotated[bool | None, Query(description="Only numbers that take calls.")] = True,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> AvailableNumbersOut:
    """Numbers Twilio sells, searched with the workspace's Twilio account (or the platform's)."""
    return await service.search(
        twilio,
        is_own(twilio.account),
        country=country,
        number_type=number_type,
        area_code=area_code,
        contains=contains,
        voice=voice,
        limit=limit,
    )


@router.get("", openapi_extra=requires(Role.VIEWER), response_model_exclude_none=True)
async def list_numbers(ctx: WorkspaceDep, kube: KubeDep) -> list[PhoneNumberOut]:
    """Every PhoneNumber in the workspace, however it was created, with its Ready condition."""
    return await service.list_lines(kube=kube, namespace=ctx.workspace.namespace)


@router.get("/{name}", openapi_extra=requires(Role.VIEWER), response_model_exclude_none=True)
async def get_number(name: LineName, ctx: WorkspaceDep, kube: KubeDep) -> PhoneNumberOut:
    """One line with its status and resourceVersion."""
    return await service.get_line(kube=kube, namespace=ctx.workspace.namespace, name=name)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=requires(Role.DEVELOPER),
    response_model_exclude_none=True,
    responses={**_TWILIO_ERRORS, 409: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)
async def buy_number(
    body: PhoneNumberBuy,
    ctx: WorkspaceDep,
    kube: KubeDep,
    twilio: TwilioDep,
) -> PhoneNumberOut:
    """Buy a number a search offered: a PhoneNumber pinned to it (the operator buys it)."""
    return await service.buy(
        kube=kube,
        twilio=twilio,
        own=is_own(twilio.account),
        namespace=ctx.workspace.namespace,
        body=body,
    )


@router.post(
    "/adopt",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=requires(Role.DEVELOPER),
    response_model_exclude_none=True,
    responses={**_TWILIO_ERRORS, 409: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)
async def adopt_number(
    body: PhoneNumberAdopt,
    ctx: WorkspaceDep,
    kube: KubeDep,
    twilio: TwilioDep,
) -> PhoneNumberOut:
    """Use a number the Twilio account already owns."""
    return await service.adopt(
        kube=kube,
        twilio=twilio,
        own=is_own(twilio.account),
        namespace=ctx.workspace.namespace,
        body=body,
    )


@router.put(
    "/{name}/agent",
    openapi_extra=requires(Role.DEVELOPER),
    response_model_exclude_none=True,
    responses={409: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)
async def assign_agent(
    name: LineName, body: AgentAssign, ctx: WorkspaceDep, kube: KubeDep
) -> PhoneNumberOut:
    """Point the line at another agent; 409 when resourceVersion is stale."""
    return await service.assign_agent(
        kube=kube,
        namespace=ctx.workspace.namespace,
        name=name,
        agent=body.agent,
        resource_version=body.resource_version,
    )


@router.delete(
    "/{name}",
    status_code=status.HTTP_204_NO_CONTENT,
    openapi_extra=requires(Role.DEVELOPER),
    responses={409: {"model": ErrorBody}},
)
async def release_number(
    name: LineName,
    ctx: WorkspaceDep,
    kube: KubeDep,
    resource_version: Annotated[
        str | None,
        Query(
            alias="resourceVersion",
            max_length=64,
            description="Release only if the line is still at this resourceVersion.",
        ),
    ] = None,
) -> None:
    """Release the number: the line is deleted with releasePolicy Release, and the operator
    gives the number back to Twilio."""
    await service.release(
        kube=kube,
        namespace=ctx.workspace.namespace,
        name=name,
        resource_version=resource_version,
    )
