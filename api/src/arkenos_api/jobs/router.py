"""Routes of the background jobs: failed jobs for platform admins, the webhook delivery log and
manual redelivery for a workspace."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from arkenos_api.core.errors import ErrorBody
from arkenos_api.core.roles import Role
from arkenos_api.deps import PlatformAdmin, SessionDep, WorkspaceDep, requires
from arkenos_api.jobs import examples, service
from arkenos_api.jobs.schemas import DeliveryLog, FailedJobs, Redelivery

ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorBody},
    404: {"model": ErrorBody},
    422: {"model": ErrorBody},
}
admin_router = APIRouter(prefix="/api/v1/admin/jobs", tags=["jobs"], responses=ERRORS)
workspace_router = APIRouter(
    prefix="/api/v1/workspaces/{workspace}", tags=["webhooks"], responses=ERRORS
)
Limit = Annotated[int, Query(ge=1, le=500, description="How many, newest first.")]


@admin_router.get(
    "/failed",
    summary="Jobs that gave up, with their last error",
    responses=examples.example(examples.FAILED_JOBS),
)
async def list_failed_jobs(
    _: PlatformAdmin, db_session: SessionDep, limit: Limit = 100
) -> FailedJobs:
    """Background jobs held after their last retry (platform admins), newest first."""
    return await service.failed_jobs(db_session, limit)


@admin_router.post("/{job_id}/retry", status_code=204, summary="Queue a failed job again")
async def retry_failed_job(
    _: PlatformAdmin,
    db_session: SessionDep,
    job_id: Annotated[int, Path(ge=1, le=2**63 - 1, description="The job's id.")],
) -> None:
    """Queue a held job again with its attempts reset (platform admins)."""
    await service.retry_job(db_session, job_id)


@workspace_router.get(
    "/agents/{name}/webhooks/{webhook}/deliveries",
    openapi_extra=requires(Role.DEVELOPER),
    summary="Delivery log of one of the agent's webhooks",
    responses=examples.example(examples.DELIVERY_LOG),
)
async def webhook_deliveries(
    context: WorkspaceDep,
    db_session: SessionDep,
    name: Annotated[str, Path(max_length=253, description="Agent name.")],
    webhook: Annotated[str, Path(max_length=63, description="Webhook name.")],
    limit: Limit = 50,
) -> DeliveryLog:
    """Each event sent to the webhook, newest first, with every attempt's time, outcome,
    status code, latency and error."""
    return await service.delivery_log(db_session, context.workspace.id, name, webhook, limit)


@workspace_router.get(
    "/sessions/{session_id}/webhook-deliveries",
    openapi_extra=requires(Role.DEVELOPER),
    summary="Webhook deliveries about one call",
    responses=examples.example(examples.DELIVERY_LOG),
)
async def call_webhook_deliveries(
    context: WorkspaceDep,
    db_session: SessionDep,
    session_id: Annotated[uuid.UUID, Path(description="Session id.")],
    limit: Limit = 50,
) -> DeliveryLog:
    """Each event of the call sent to the agent's webhooks, newest first, with every
    attempt's time, outcome, status code, latency and error (the call detail page)."""
    return await service.session_deliveries(db_session, context.workspace.id, session_id, limit)


@workspace_router.post(
    "/webhook-messages/{message_id}/redeliver",
    status_code=202,
    openapi_extra=requires(Role.DEVELOPER),
    summary="Deliver one event again (same webhook-id and body)",
    responses=examples.example(examples.REDELIVERY, 202),
)
async def redeliver_message(
    context: WorkspaceDep,
    db_session: SessionDep,
    message_id: Annotated[str, Path(max_length=64, description="The message's webhook-id.")],
) -> Redelivery:
    """Send the event again now, whatever its state; receivers see the same webhook-id."""
    return await service.redeliver(db_session, context.workspace.id, message_id)
