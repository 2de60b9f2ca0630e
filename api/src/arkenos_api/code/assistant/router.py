"""HTTP routes of the coding assistant: the conversation, a question answered as a stream of
server-sent events, and applying a proposed edit (only ever by a person)."""

from __future__ import annotations

import uuid
from typing import Annotated

import openai
from fastapi import APIRouter, Path
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from arkenos_api.code import files
from arkenos_api.code.assistant import service
from arkenos_api.code.assistant.proposals import ProposedEdit, problems
from arkenos_api.code.assistant.schemas import ApplyOut, AssistantAsk, ConversationOut
from arkenos_api.code.deploy import tree_texts
from arkenos_api.code.models import AssistantProposal
from arkenos_api.code.tree import draft, file_version
from arkenos_api.core.errors import ApiError, ErrorBody, not_found
from arkenos_api.core.roles import Role
from arkenos_api.deps import (
    CodeLimitsDep,
    CodeStoreDep,
    KeyringDep,
    SessionDep,
    SessionmakerDep,
    SettingsDep,
    WorkspaceDep,
    requires,
)
from arkenos_api.keys.service import read_keys
from arkenos_crds.meta import DNS_LABEL
from arkenos_crds.runtime import Provider

router = APIRouter(
    prefix="/api/v1/workspaces/{workspace}/agents/{name}/code/assistant",
    tags=["code"],
    responses={403: {"model": ErrorBody}, 404: {"model": ErrorBody}},
)

AgentName = Annotated[
    str, Path(max_length=63, pattern=DNS_LABEL, description="Agent name.", examples=["support-bot"])
]

STREAM_DOC = {
    200: {
        "description": "Server-sent events: `delta` {text} as the model writes, one `proposal` "
        "(a ProposalOut) per proposed edit, checked, then `done` {messageId}; or `error` "
        "{message} with the provider's words.",
        "content": {
            "text/event-stream": {
                "schema": {"type": "string"},
                "example": 'event: delta\ndata: {"text": "I added "}\n\n'
                'event: done\ndata: {"messageId": "9b1f6c1e-0d55-4a43-9c9a-2b7e7c1d2f10"}\n\n',
            }
        },
    },
    422: {"model": ErrorBody},
    424: {"model": ErrorBody},
}


@router.get("", openapi_extra=requires(Role.VIEWER))
async def get_conversation(
    name: AgentName, ctx: WorkspaceDep, db_session: SessionDep, settings: SettingsDep
) -> ConversationOut:
    """The agent's conversation with the assistant and every edit it proposed."""
    tree = await service.tree_or_none(db_session, ctx.workspace.id, name)
    messages = await service.conversation(db_session, tree) if tree else []
    return ConversationOut(agent=name, models=settings.assistant_models, messages=messages)


@router.post(
    "/messages",
    openapi_extra=requires(Role.DEVELOPER),
    response_class=StreamingResponse,
    responses=STREAM_DOC,  # type: ignore[arg-type]
)
async def ask(
    name: AgentName,
    body: AssistantAsk,
    ctx: WorkspaceDep,
    db_session: SessionDep,
    sessionmaker: SessionmakerDep,
    store: CodeStoreDep,
    keyring: KeyringDep,
    settings: SettingsDep,
) -> StreamingResponse:
    """Ask the assistant; it sees this agent's files and the platform's contract, never keys
    and never another agent's code, and proposes edits a person applies."""
    model = body.model or settings.assistant_model
    if model not in settings.assistant_models:
        raise ApiError(
            422,
            "validation_error",
            f"model {model!r} is not one of {settings.assistant_models}",
            "model",
        )
    current = await draft(db_session=db_session, workspace_id=ctx.workspace.id, agent=name)
    keys = await read_keys(
        db_session=db_session,
        keyring=keyring,
        workspace_id=ctx.workspace.id,
        providers={Provider.OPENAI},
    )
    if Provider.OPENAI not in keys:
        raise ApiError(
            424,
            "provider_key_missing",
            "the assistant uses the workspace's OpenAI key: store one under provider keys first",
        )
    texts = await tree_texts(store, current.version)
    question = await service.prepare(
        db_session=db_session,
        tree=current.tree,
        texts=texts,
        manifest=current.manifest,
        question=body.content,
        model=model,
        author_id=ctx.principal.user.id,
    )
    await db_session.commit()
    client = openai.AsyncOpenAI(
        api_key=keys[Provider.OPENAI],
        base_url=settings.assistant_base_url or settings.openai_base_url,
        max_retries=1,
    )
    return StreamingResponse(
        service.answer(sessionmaker=sessionmaker, client=client, question=question),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.post(
    "/proposals/{proposal_id}/apply",
    openapi_extra=requires(Role.DEVELOPER),
    responses={409: {"model": ErrorBody}, 413: {"model": ErrorBody}, 422: {"model": ErrorBody}},
)
async def apply_proposal(
    name: AgentName,
    proposal_id: uuid.UUID,
    ctx: WorkspaceDep,
    db_session: SessionDep,
    store: CodeStoreDep,
    limits: CodeLimitsDep,
) -> ApplyOut:
    """Apply a proposed edit to the draft, if it still applies: checked again against the
    file as it is now, like any other write."""
    tree = await service.tree_or_none(db_session, ctx.workspace.id, name)
    row = (
        await db_session.scalar(
            select(AssistantProposal)
            .where(AssistantProposal.id == proposal_id, AssistantProposal.tree_id == tree.id)
            .with_for_update()
        )
        if tree
        else None
    )
    if row is None:
        raise not_found(f"proposal {proposal_id}")
    if row.applied_version is not None:
        raise ApiError(
            409, "already_applied", f"this proposal was applied as version {row.applied_version}"
        )
    current = await draft(db_session=db_session, workspace_id=ctx.workspace.id, agent=name)
    edit = ProposedEdit(row.path, row.content, row.summary, row.base_sha256)
    found = list(row.problems or []) or problems(edit, current.manifest)
    if found:
        raise ApiError(409, "proposal_does_not_apply", "; ".join(found))
    base = file_version(row.base_sha256) if row.base_sha256 else None
    if row.content is None:
        assert base is not None
        version = await files.delete_file(
            db_session=db_session,
            workspace_id=ctx.workspace.id,
            agent=name,
            path=row.path,
            base_version=base,
            author_id=ctx.principal.user.id,
        )
    else:
        written = await files.write_file(
            db_session=db_session,
            store=store,
            limits=limits,
            workspace_id=ctx.workspace.id,
            agent=name,
            path=row.path,
            content=row.content,
            base_version=base,
            author_id=ctx.principal.user.id,
        )
        version = written.tree_version
    row.applied_version = version
    await db_session.flush()
    return ApplyOut(proposal=service.proposal_out(row), tree_version=version)
