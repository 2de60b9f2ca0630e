"""The coding assistant against the OpenAI double: streamed answers, proposals checked before
they are offered, applied only by a person, and the context it is given (this agent's files,
never keys or other agents' code)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from arkenos_api.settings import Settings
from tests.api.code._support import code_url, file_version, put_file, start_code
from tests.api.helpers import Api, Person
from tests.doubles.openai import ChatRule, OpenAIDouble, ToolCallReply
from tests.doubles.server import serve_aiohttp

pytestmark = pytest.mark.postgres

ASSISTANT_KEY = "sk-assistant-key-7f3a"
NEW_AGENT = '''"""Says hello."""

from arkenos_agent_runtime.custom import AgentContext


async def entrypoint(ctx: AgentContext) -> None:
    session = ctx.build_session()
    await ctx.start(session, None)
'''


@pytest.fixture
def model() -> Iterator[OpenAIDouble]:
    double = OpenAIDouble(api_key=ASSISTANT_KEY)
    with serve_aiohttp(double.app()) as served:
        double.url = served.url  # type: ignore[attr-defined]
        yield double


@pytest.fixture
def settings(settings: Settings, model: OpenAIDouble) -> Settings:
    return settings.model_copy(update={"assistant_base_url": f"{model.url}/v1"})  # type: ignore[attr-defined]


async def with_key(person: Person, ws: str) -> None:
    stored = await person.put(f"/api/v1/workspaces/{ws}/keys/openai", json={"value": ASSISTANT_KEY})
    assert stored.status_code in (200, 201, 204), stored.text


def events(body: str) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        found.append((lines["event"], json.loads(lines["data"])))
    return found


async def ask(
    person: Person, ws: str, agent: str, content: str
) -> list[tuple[str, dict[str, Any]]]:
    response = await person.post(
        code_url(ws, agent, "/assistant/messages"), json={"content": content}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return events(response.text)


async def test_answers_stream_and_the_conversation_is_stored(
    owner: tuple[Person, str], model: OpenAIDouble
) -> None:
    person, ws = owner
    await start_code(person, ws, "chat")
    await with_key(person, ws)
    model.rules.append(
        ChatRule(match="what does it do", text="It greets callers and tells the time.")
    )
    stream = await ask(person, ws, "chat", "What does it do?")
    deltas = [data["text"] for kind, data in stream if kind == "delta"]
    assert len(deltas) > 1, "the answer arrives in pieces"
    assert "".join(deltas).strip() == "It greets callers and tells the time."
    assert stream[-1][0] == "done"
    talk = (await person.get(code_url(ws, "chat", "/assistant"))).json()
    assert [(m["role"], m["content"].strip()) for m in talk["messages"]] == [
        ("user", "What does it do?"),
        ("assistant", "It greets callers and tells the time."),
    ]


async def test_the_model_sees_this_agents_files_and_no_keys(
    api: Api, owner: tuple[Person, str], model: OpenAIDouble
) -> None:
    person, ws = owner
    await start_code(person, ws, "seen")
    await start_code(person, ws, "other-agent", "blank")
    await put_file(person, ws, "other-agent", "secret_sauce.py", "SAUCE = 'other agent code'\n")
    await with_key(person, ws)
    await ask(person, ws, "seen", "Explain agent.py")
    sent = json.dumps(model.chat_requests()[-1])
    assert "current_time" in sent, "the agent's own files are in the context"
    assert "AgentContext" in sent, "the platform's contract is in the context"
    assert "other agent code" not in sent
    assert ASSISTANT_KEY not in sent
    assert model.chat_requests()[-1]["tools"][0]["function"]["name"] == "propose_edit"


async def test_a_valid_proposal_is_offered_and_applied_only_on_request(
    owner: tuple[Person, str], model: OpenAIDouble
) -> None:
    person, ws = owner
    await start_code(person, ws, "patch")
    await with_key(person, ws)
    before = await file_version(person, ws, "patch", "agent.py")
    model.rules.append(
        ChatRule(
            match="simplify",
            tool_call=ToolCallReply(
                "propose_edit", {"path": "agent.py", "content": NEW_AGENT, "summary": "simpler"}
            ),
        )
    )
    stream = await ask(person, ws, "patch", "Please simplify the agent")
    proposals = [data for kind, data in stream if kind == "proposal"]
    assert len(proposals) == 1
    proposal = proposals[0]
    assert proposal["problems"] == []
    assert proposal["baseVersion"] == before
    assert await file_version(person, ws, "patch", "agent.py") == before, (
        "nothing applied by itself"
    )
    applied = await person.post(
        code_url(ws, "patch", f"/assistant/proposals/{proposal['id']}/apply")
    )
    assert applied.status_code == 200, applied.text
    content = (await person.get(code_url(ws, "patch", "/files/agent.py"))).json()["content"]
    assert content == NEW_AGENT
    again = await person.post(code_url(ws, "patch", f"/assistant/proposals/{proposal['id']}/apply"))
    assert again.status_code == 409


async def test_a_proposal_that_breaks_syntax_is_shown_as_failed(
    owner: tuple[Person, str], model: OpenAIDouble
) -> None:
    person, ws = owner
    await start_code(person, ws, "syntax")
    await with_key(person, ws)
    model.rules.append(
        ChatRule(
            match="break",
            tool_call=ToolCallReply("propose_edit", {"path": "agent.py", "content": "def f(:\n"}),
        )
    )
    proposal = next(d for k, d in await ask(person, ws, "syntax", "break it") if k == "proposal")
    assert len(proposal["problems"]) == 1
    assert "line 1" in proposal["problems"][0]
    refused = await person.post(
        code_url(ws, "syntax", f"/assistant/proposals/{proposal['id']}/apply")
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "proposal_does_not_apply"


async def test_a_proposal_that_no_longer_applies_is_refused(
    owner: tuple[Person, str], model: OpenAIDouble
) -> None:
    person, ws = owner
    await start_code(person, ws, "stale")
    await with_key(person, ws)
    model.rules.append(
        ChatRule(
            match="rewrite",
            tool_call=ToolCallReply("propose_edit", {"path": "agent.py", "content": NEW_AGENT}),
        )
    )
    proposal = next(d for k, d in await ask(person, ws, "stale", "rewrite it") if k == "proposal")
    assert proposal["problems"] == []
    base = await file_version(person, ws, "stale", "agent.py")
    assert (await put_file(person, ws, "stale", "agent.py", "x = 1\n", base)).status_code == 200
    refused = await person.post(
        code_url(ws, "stale", f"/assistant/proposals/{proposal['id']}/apply")
    )
    assert refused.status_code == 409
    assert "changed since the assistant read it" in refused.json()["message"]
    content = (await person.get(code_url(ws, "stale", "/files/agent.py"))).json()["content"]
    assert content == "x = 1\n", "the person's edit is kept"


@pytest.mark.parametrize(
    "arguments",
    [{"path": "../../etc/passwd", "content": "x"}, {"path": "/abs.py", "content": "x = 1"}],
)
async def test_a_proposal_for_a_forbidden_path_is_refused(
    owner: tuple[Person, str], model: OpenAIDouble, arguments: dict[str, str]
) -> None:
    person, ws = owner
    agent = f"paths-{len(arguments['path'])}"
    await start_code(person, ws, agent)
    await with_key(person, ws)
    model.rules.append(ChatRule(match="escape", tool_call=ToolCallReply("propose_edit", arguments)))
    proposal = next(d for k, d in await ask(person, ws, agent, "escape please") if k == "proposal")
    assert "not allowed" in proposal["problems"][0]


async def test_without_a_stored_key_the_assistant_says_what_to_do(
    owner: tuple[Person, str],
) -> None:
    person, ws = owner
    await start_code(person, ws, "nokey")
    response = await person.post(
        code_url(ws, "nokey", "/assistant/messages"), json={"content": "hello"}
    )
    assert response.status_code == 424
    assert "OpenAI key" in response.json()["message"]


async def test_provider_errors_reach_the_person(
    owner: tuple[Person, str], model: OpenAIDouble
) -> None:
    from tests.doubles.openai import Fault

    person, ws = owner
    await start_code(person, ws, "fails")
    await with_key(person, ws)
    model.faults.append(Fault("/v1/chat/completions", count=5, status=400))
    stream = await ask(person, ws, "fails", "hello")
    assert stream[-1][0] == "error"
    assert "injected failure" in stream[-1][1]["message"]
