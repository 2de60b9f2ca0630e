"""HTTP routes of agents: thin wrappers over the VoiceAgent resources."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from arkenos_api.agents import service
from arkenos_api.agents.schemas import AgentCreate, AgentOut, AgentTemplate, AgentUpdate
from arkenos_api.agents.templates import agent_templates
from arkenos_api.core.errors import ErrorBody
from arkenos_api.core.roles import Role
from arkenos_api.deps import CurrentPrincipal, KubeDep, WorkspaceDep, requires
from arkenos_crds.meta import DNS_SUBDOMAIN

router = APIRouter(
    prefix="/api/v1/workspaces/{workspace}/agents",
    tags=["agents"],
    responses={403: {"model": ErrorBody}, 404: {"model": ErrorBody}},
)
templates_router = APIRouter(prefix="/api/v1/agent-templates", tags=["agents"])

AgentName = Annotated[
    str,
    Path(max_length=253, pattern=DNS_SUBDOMAIN, description="Agent name.", examples=["front-desk"]),
]


@templates_router.get("", responses={401: {"model": ErrorBody}}, response_model_exclude_none=True)
async def list_templates(_: CurrentPrincipal) -> list[AgentTemplate]:
    """Starting points for a new agent."""
    return agent_templates()


@router.get("", openapi_extra=requires(Role.VIEWER), response_model_exclude_none=True)
async def list_agents(ctx: WorkspaceDep, kube: KubeDep) -> list[AgentOut]:
    """Every VoiceAgent in the workspace, however it was created."""
    return await service.list_agents(kube=kube, namespace=ctx.workspace.namespace)


@router.get("/{name}", openapi_extra=requires(Role.VIEWER), response_model_exclude_none=True)
async def get_agent(name: AgentName, ctx: WorkspaceDep, kube: KubeDep) -> AgentOut:
    """One agent with its status and resourceVersion."""
    return await service.get_agent(kube=kube, namespace=ctx.workspace.namespace, name=name)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=requires(Role.DEVELOPER),
    response_model_exclude_none=True,
    responses={409: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)
async def create_agent(body: AgentCreate, ctx: WorkspaceDep, kube: KubeDep) -> AgentOut:
    """Create a VoiceAgent resource."""
    return await service.create_agent(
        kube=kube,
        namespace=ctx.workspace.namespace,
        name=body.name,
        spec=body.spec,
        labels=body.labels,
    )


@router.put(
    "/{name}",
    openapi_extra=requires(Role.DEVELOPER),
    response_model_exclude_none=True,
    responses={409: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)
async def update_agent(
    name: AgentName, body: AgentUpdate, ctx: WorkspaceDep, kube: KubeDep
) -> AgentOut:
    """Replace the agent's spec; 409 when resourceVersion is stale."""
    return await service.update_agent(
        kube=kube,
        namespace=ctx.workspace.namespace,
        name=name,
        spec=body.spec,
        resource_version=body.resource_version,
    )


@router.delete(
    "/{name}", status_code=status.HTTP_204_NO_CONTENT, openapi_extra=requires(Role.DEVELOPER)
)
async def delete_agent(name: AgentName, ctx: WorkspaceDep, kube: KubeDep) -> None:
    """Delete the VoiceAgent resource."""
    await service.delete_agent(kube=kube, namespace=ctx.workspace.namespace, name=name)
