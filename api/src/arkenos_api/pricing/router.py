"""HTTP routes of pricing: the prices in effect for a workspace, its overrides, and pricing a
session again (after late usage, or after an override changed)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Path, status
from sqlalchemy import delete, select

from arkenos_api.analytics import rollup
from arkenos_api.core.db import utcnow
from arkenos_api.core.errors import ErrorBody, not_found
from arkenos_api.core.roles import Role
from arkenos_api.deps import SessionDep, WorkspaceDep, requires
from arkenos_api.internal.models import CallSession
from arkenos_api.pricing.catalogue import catalogue
from arkenos_api.pricing.models import PriceOverride
from arkenos_api.pricing.schemas import OverridesIn, PriceOut, PricingOut
from arkenos_api.pricing.service import price_session, workspace_overrides

router = APIRouter(
    prefix="/api/v1/workspaces/{workspace}",
    tags=["pricing"],
    responses={403: {"model": ErrorBody}, 404: {"model": ErrorBody}},
)
_OVERRIDE_EXAMPLE = {
    "item": "openai/gpt-4o-mini/llm_input_tokens",
    "micros": 120000,
    "per": 1000000,
}


@router.get(
    "/pricing",
    openapi_extra=requires(Role.VIEWER),
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "version": "2026-11-01",
                        "effectiveFrom": "2026-11-01T00:00:00Z",
                        "currency": "USD",
                        "items": [{**_OVERRIDE_EXAMPLE, "source": "override"}],
                    }
                }
            }
        }
    },
)
async def get_pricing(ctx: WorkspaceDep, db_session: SessionDep) -> PricingOut:
    """The prices calls starting now are charged: the current catalogue with overrides."""
    data = catalogue()
    version = data.version_at(utcnow())
    overrides = await workspace_overrides(db_session, ctx.workspace.id)
    prices = {item: (price, "catalogue") for item, price in version.items.items()}
    prices.update({item: (price, "override") for item, price in overrides.items()})
    items = [
        PriceOut(item=item, micros=price.micros, per=price.per, source=source)
        for item, (price, source) in sorted(prices.items())
    ]
    return PricingOut(
        version=version.version,
        effective_from=version.effective_from,
        currency=data.currency,
        items=items,
    )


@router.put(
    "/pricing/overrides",
    status_code=status.HTTP_204_NO_CONTENT,
    openapi_extra=requires(Role.ADMIN),
    responses={422: {"model": ErrorBody}},
)
async def put_overrides(
    ctx: WorkspaceDep,
    db_session: SessionDep,
    body: Annotated[OverridesIn, Body(examples=[{"overrides": [_OVERRIDE_EXAMPLE]}])],
) -> None:
    """Replace the workspace's price overrides (they apply to calls priced from now on)."""
    await db_session.execute(
        delete(PriceOverride).where(PriceOverride.workspace_id == ctx.workspace.id)
    )
    db_session.add_all(
        PriceOverride(workspace_id=ctx.workspace.id, item=o.item, micros=o.micros, per=o.per)
        for o in {o.item: o for o in body.overrides}.values()
    )


@router.post(
    "/sessions/{session_id}/cost",
    openapi_extra=requires(Role.ADMIN),
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {"version": "2026-11-01", "status": "priced", "totalMicros": 25310}
                }
            }
        }
    },
)
async def recompute_cost(
    ctx: WorkspaceDep,
    db_session: SessionDep,
    session_id: Annotated[uuid.UUID, Path(description="Session id.")],
) -> dict[str, object]:
    """Price an ended session again, with the catalogue version it was priced with."""
    session = await db_session.scalar(
        select(CallSession)
        .where(CallSession.id == session_id, CallSession.workspace_id == ctx.workspace.id)
        .with_for_update()
    )
    if session is None or session.ended_at is None:
        raise not_found(f"ended session {session_id}")
    previous = session.cost_micros
    breakdown = await price_session(db_session=db_session, session=session)
    await rollup.replace_cost(db_session, session, previous)
    return breakdown.to_json()
