"""HTTP routes of the call log."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime

from arkenos_api.core.errors import ErrorBody
from arkenos_api.core.roles import Role
from arkenos_api.deps import SessionDep, WorkspaceDep, requires
from arkenos_api.sessions import examples, service
from arkenos_api.sessions.export import MEDIA_TYPES, ExportFormat, render
from arkenos_api.sessions.filters import SessionFilters
from arkenos_api.sessions.lifecycle import CallStatus
from arkenos_api.sessions.schemas import SessionDetail, SessionPage
from arkenos_crds.runtime import CallDirection

router = APIRouter(
    prefix="/api/v1/workspaces/{workspace}/sessions",
    tags=["sessions"],
    responses={403: {"model": ErrorBody}, 404: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)


def _filters(
    agent: Annotated[str | None, Query(max_length=253, description="Agent name.")] = None,
    direction: Annotated[CallDirection | None, Query(description="How the call came in.")] = None,
    status: Annotated[CallStatus | None, Query(description="Call status.")] = None,
    end_reason: Annotated[
        str | None, Query(alias="endReason", max_length=32, description="End reason.")
    ] = None,
    phone_number: Annotated[
        str | None,
        Query(alias="phoneNumber", max_length=16, description="The line, caller or callee."),
    ] = None,
    started_from: Annotated[
        AwareDatetime | None, Query(alias="from", description="Started at or after (RFC 3339).")
    ] = None,
    started_to: Annotated[
        AwareDatetime | None, Query(alias="to", description="Started before (RFC 3339).")
    ] = None,
    min_duration_ms: Annotated[
        int | None,
        Query(alias="minDurationMs", ge=0, le=10**12, description="Lasted this long at least."),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description='Words in the transcript (web search syntax: "a phrase", or, -not).',
        ),
    ] = None,
) -> SessionFilters:
    return SessionFilters(
        agent=agent,
        direction=direction,
        status=status,
        end_reason=end_reason,
        phone_number=phone_number,
        started_from=started_from,
        started_to=started_to,
        min_duration_ms=min_duration_ms,
        text=q,
    )


FiltersDep = Annotated[SessionFilters, Depends(_filters)]


@router.get(
    "",
    openapi_extra=requires(Role.VIEWER),
    responses={200: {"content": {"application/json": {"example": examples.PAGE}}}},
)
async def list_sessions(
    ctx: WorkspaceDep,
    db_session: SessionDep,
    filters: FiltersDep,
    cursor: Annotated[str | None, Query(max_length=200, description="From nextCursor.")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size.")] = 50,
) -> SessionPage:
    """The call log, newest first, one page at a time."""
    return await service.list_sessions(
        db_session=db_session,
        workspace_id=ctx.workspace.id,
        filters=filters,
        cursor=cursor,
        limit=limit,
    )


@router.get(
    "/export",
    openapi_extra=requires(Role.VIEWER),
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The matching sessions, streamed.",
            "content": {
                "text/csv": {"example": examples.CSV},
                "application/jsonl": {"example": examples.JSONL},
            },
        }
    },
)
async def export_sessions(
    ctx: WorkspaceDep,
    request: Request,
    filters: FiltersDep,
    export_format: Annotated[
        ExportFormat, Query(alias="format", description="csv or jsonl.")
    ] = ExportFormat.CSV,
) -> StreamingResponse:
    """Every session matching the filters, as CSV or JSON Lines."""
    pages = service.export_pages(request.app.state.sessionmaker, ctx.workspace.id, filters)
    filename = f"sessions-{ctx.workspace.namespace}.{export_format.value}"
    return StreamingResponse(
        render(pages, export_format),
        media_type=MEDIA_TYPES[export_format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/{session_id}",
    openapi_extra=requires(Role.VIEWER),
    responses={200: {"content": {"application/json": {"example": examples.DETAIL}}}},
)
async def get_session(
    ctx: WorkspaceDep,
    db_session: SessionDep,
    session_id: Annotated[uuid.UUID, Path(description="Session id.")],
) -> SessionDetail:
    """One call in full: transcript, tool calls, latency per turn, usage, cost, analysis."""
    return await service.get_session(
        db_session=db_session, workspace_id=ctx.workspace.id, session_id=session_id
    )
