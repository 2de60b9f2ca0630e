"""The coding assistant: one stored conversation per agent, answers streamed from an
OpenAI-compatible model with the workspace's own key, and edits it proposes checked and kept
until a person applies them."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import openai
from openai.types.chat import ChatCompletionChunk
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arkenos_api.code.assistant.contract import PROPOSE_EDIT, PROPOSE_EDIT_TOOL
from arkenos_api.code.assistant.prompt import Turn, build_messages
from arkenos_api.code.assistant.proposals import ProposedEdit, parse_tool_call, problems
from arkenos_api.code.assistant.schemas import MessageOut, ProposalOut
from arkenos_api.code.models import AssistantMessage, AssistantProposal, CodeTree, Manifest
from arkenos_api.code.tree import file_version, find_tree, version_of

ROLE_USER, ROLE_ASSISTANT = "user", "assistant"


@dataclass(frozen=True)
class Question:
    """Everything an answer needs, gathered before the stream starts."""

    tree_id: uuid.UUID
    manifest: Manifest
    messages: list[dict[str, str]]
    model: str
    author_id: uuid.UUID


def sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


def proposal_out(row: AssistantProposal) -> ProposalOut:
    return ProposalOut(
        id=row.id,
        path=row.path,
        summary=row.summary,
        delete=row.content is None,
        content=row.content,
        base_version=file_version(row.base_sha256) if row.base_sha256 else None,
        problems=list(row.problems or []),
        applied_version=row.applied_version,
    )


async def history(db_session: AsyncSession, tree: CodeTree) -> list[AssistantMessage]:
    rows = await db_session.scalars(
        select(AssistantMessage)
        .where(AssistantMessage.tree_id == tree.id)
        .order_by(AssistantMessage.created_at)
    )
    return list(rows)


async def conversation(db_session: AsyncSession, tree: CodeTree) -> list[MessageOut]:
    messages = await history(db_session, tree)
    proposals = await db_session.scalars(
        select(AssistantProposal)
        .where(AssistantProposal.tree_id == tree.id)
        .order_by(AssistantProposal.created_at)
    )
    by_message: dict[uuid.UUID, list[ProposalOut]] = {}
    for row in proposals:
        by_message.setdefault(row.message_id, []).append(proposal_out(row))
    return [
        MessageOut(
            id=m.id,
            role=m.role,
            content=m.content,
            model=m.model,
            created_at=m.created_at,
            proposals=by_message.get(m.id, []),
        )
        for m in messages
    ]


async def prepare(
    *,
    db_session: AsyncSession,
    tree: CodeTree,
    texts: dict[str, str],
    manifest: Manifest,
    question: str,
    model: str,
    author_id: uuid.UUID,
) -> Question:
    """Store the person's message and build what the model gets."""
    earlier = [Turn(m.role, m.content) for m in await history(db_session, tree)]
    db_session.add(
        AssistantMessage(tree_id=tree.id, role=ROLE_USER, content=question, author_id=author_id)
    )
    await db_session.flush()
    return Question(tree.id, manifest, build_messages(texts, earlier, question), model, author_id)


async def _stream_model(
    client: openai.AsyncOpenAI, question: Question
) -> AsyncIterator[tuple[str, str]]:
    """("text", piece) as the model writes, then ("tool", arguments) per finished tool call."""
    stream = await client.chat.completions.create(
        model=question.model,
        messages=question.messages,  # type: ignore[arg-type]
        tools=[PROPOSE_EDIT_TOOL],  # type: ignore[list-item]
        stream=True,
    )
    assert isinstance(stream, openai.AsyncStream)
    calls: dict[int, dict[str, str]] = {}
    async for raw in stream:
        chunk: ChatCompletionChunk = raw
        for choice in chunk.choices:
            delta = choice.delta
            if delta.content:
                yield "text", delta.content
            for call in delta.tool_calls or []:
                entry = calls.setdefault(call.index, {"name": "", "arguments": ""})
                if call.function is not None:
                    entry["name"] += call.function.name or ""
                    entry["arguments"] += call.function.arguments or ""
    for entry in calls.values():
        if entry["name"] == PROPOSE_EDIT:
            yield "tool", entry["arguments"]


async def answer(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    client: openai.AsyncOpenAI,
    question: Question,
) -> AsyncIterator[str]:
    """The answer as server-sent events: text deltas, each checked proposal, then done."""
    try:
        async for event in _answer(sessionmaker, client, question):
            yield event
    finally:
        await client.close()


async def _answer(
    sessionmaker: async_sessionmaker[AsyncSession],
    client: openai.AsyncOpenAI,
    question: Question,
) -> AsyncIterator[str]:
    text: list[str] = []
    edits: list[ProposedEdit | str] = []
    try:
        async for kind, value in _stream_model(client, question):
            if kind == "text":
                text.append(value)
                yield sse("delta", {"text": value})
            else:
                edits.append(parse_tool_call(value, question.manifest))
    except openai.APIStatusError as exc:
        yield sse(
            "error", {"message": f"the model provider answered {exc.status_code}: {exc.message}"}
        )
        return
    except openai.APIError as exc:
        yield sse("error", {"message": f"the model provider could not be reached: {exc.message}"})
        return
    async with sessionmaker() as db_session:
        message = AssistantMessage(
            tree_id=question.tree_id,
            role=ROLE_ASSISTANT,
            content="".join(text),
            model=question.model,
        )
        db_session.add(message)
        await db_session.flush()
        current = await _current_manifest(db_session, question.tree_id)
        rows = [_proposal_row(message, edit, current) for edit in edits]
        db_session.add_all(rows)
        await db_session.commit()
    for row in rows:
        yield sse("proposal", proposal_out(row).model_dump(by_alias=True, mode="json"))
    yield sse("done", {"messageId": str(message.id)})


async def _current_manifest(db_session: AsyncSession, tree_id: uuid.UUID) -> Manifest:
    tree = await db_session.get(CodeTree, tree_id)
    assert tree is not None
    return (await version_of(db_session=db_session, tree=tree)).manifest


def _proposal_row(
    message: AssistantMessage, edit: ProposedEdit | str, current: Manifest
) -> AssistantProposal:
    if isinstance(edit, str):
        return AssistantProposal(
            tree_id=message.tree_id,
            message_id=message.id,
            path="",
            base_sha256=None,
            content=None,
            summary="",
            problems=[edit],
        )
    return AssistantProposal(
        tree_id=message.tree_id,
        message_id=message.id,
        path=edit.path[:256],
        base_sha256=edit.base_sha256,
        content=edit.content,
        summary=edit.summary,
        problems=problems(edit, current),
    )


async def tree_or_none(
    db_session: AsyncSession, workspace_id: uuid.UUID, agent: str
) -> CodeTree | None:
    return await find_tree(db_session=db_session, workspace_id=workspace_id, agent=agent)
