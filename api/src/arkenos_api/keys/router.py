"""HTTP routes of a workspace's provider keys. Nothing here ever returns a key."""

from __future__ import annotations

from fastapi import APIRouter, status

from arkenos_api.core.errors import ApiError, ErrorBody
from arkenos_api.core.roles import Role
from arkenos_api.deps import HttpDep, KeyringDep, SessionDep, SettingsDep, WorkspaceDep, requires
from arkenos_api.keys import service
from arkenos_api.keys.providers import check_key
from arkenos_api.keys.schemas import KeyCheckOut, KeyIn, KeyOut
from arkenos_crds.runtime import Provider

router = APIRouter(
    prefix="/api/v1/workspaces/{workspace}/keys",
    tags=["keys"],
    responses={404: {"model": ErrorBody}, 403: {"model": ErrorBody}},
)


@router.get("", openapi_extra=requires(Role.VIEWER))
async def list_keys(ctx: WorkspaceDep, db_session: SessionDep) -> list[KeyOut]:
    """Which providers have a stored key, with the key's last four characters."""
    stored = {
        row.provider: row
        for row in await service.list_keys(db_session=db_session, workspace_id=ctx.workspace.id)
    }
    result = []
    for provider in Provider:
        row = stored.get(provider.value)
        result.append(
            KeyOut(
                provider=provider,
                present=row is not None,
                last_four=row.last_four if row else None,
                updated_at=row.updated_at if row else None,
            )
        )
    return result


@router.put("/{provider}", openapi_extra=requires(Role.ADMIN))
async def put_key(
    provider: Provider,
    body: KeyIn,
    ctx: WorkspaceDep,
    db_session: SessionDep,
    keyring: KeyringDep,
) -> KeyOut:
    """Store (or replace) the workspace's key for a provider, encrypted."""
    row = await service.store_key(
        db_session=db_session,
        keyring=keyring,
        workspace_id=ctx.workspace.id,
        provider=provider,
        value=body.value.get_secret_value(),
    )
    return KeyOut(
        provider=provider, present=True, last_four=row.last_four, updated_at=row.updated_at
    )


@router.delete(
    "/{provider}", status_code=status.HTTP_204_NO_CONTENT, openapi_extra=requires(Role.ADMIN)
)
async def delete_key(provider: Provider, ctx: WorkspaceDep, db_session: SessionDep) -> None:
    """Forget the workspace's key for a provider."""
    if not await service.delete_key(
        db_session=db_session, workspace_id=ctx.workspace.id, provider=provider
    ):
        raise ApiError(404, "not_found", f"no {provider} key stored")


@router.post("/{provider}/test", openapi_extra=requires(Role.DEVELOPER))
async def test_key(
    provider: Provider,
    ctx: WorkspaceDep,
    db_session: SessionDep,
    keyring: KeyringDep,
    http: HttpDep,
    settings: SettingsDep,
) -> KeyCheckOut:
    """Call the provider's cheapest authenticated endpoint with the stored key."""
    keys = await service.read_keys(
        db_session=db_session, keyring=keyring, workspace_id=ctx.workspace.id, providers={provider}
    )
    if provider not in keys:
        raise ApiError(404, "not_found", f"no {provider} key stored")
    result = await check_key(http, settings, provider, keys[provider])
    return KeyCheckOut(
        provider=provider, ok=result.ok, status=result.status, message=result.message
    )
