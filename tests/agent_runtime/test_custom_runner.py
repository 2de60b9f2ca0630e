"""The custom runner loads the starter template from an artifact directory and runs it in
text mode against the OpenAI double; bad artifacts stop the runner with a clear message."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from livekit.agents import Agent, AgentSession

from arkenos_agent_runtime.call.pipeline import VADCache
from arkenos_agent_runtime.custom.context import AgentContext
from arkenos_agent_runtime.custom.runner import run_agent_class
from arkenos_agent_runtime.usercode import load
from arkenos_crds.runtime import RuntimeConfig
from arkenos_crds.starter import STARTER_DIR
from tests.doubles.openai import ChatRule, OpenAIDouble, ToolCallReply

TEMPLATE = STARTER_DIR


@pytest.fixture
def artifact(tmp_path: Path) -> Path:
    shutil.copytree(TEMPLATE, tmp_path / "artifact" / "app")
    (tmp_path / "artifact" / "site-packages").mkdir()
    return tmp_path / "artifact"


def text_context(config: RuntimeConfig, started: list[AgentSession[Any]]) -> AgentContext:
    async def start(session: AgentSession[Any], agent: Agent) -> None:
        started.append(session)
        await session.start(agent)

    vad = VADCache().get(config.spec.turn_detection.vad)
    return AgentContext(config=config, job=None, vad=vad, _starter=start)


async def test_starter_template_runs_through_the_runner_contract(
    artifact: Path, make_config: Callable[..., RuntimeConfig], openai_double: OpenAIDouble
) -> None:
    entrypoint = load(artifact, "agent")
    assert entrypoint.__name__ == "entrypoint"
    openai_double.rules.append(
        ChatRule(match="time", tool_call=ToolCallReply("current_time", {}), after_tool="{output}")
    )
    started: list[AgentSession[Any]] = []
    config = make_config(instructions="You are the night desk.")
    await entrypoint(text_context(config, started))
    session = started[0]
    async with session:
        result = await session.run(user_input="What time is it?")
        result.expect.next_event().is_function_call(name="current_time")
        output = result.expect.next_event().is_function_call_output().event().item
    assert re.fullmatch(r"\d\d:\d\d UTC", output.output)
    assert openai_double.chat_requests()[-1]["messages"][0]["content"] == "You are the night desk."


async def test_an_agent_subclass_is_run_with_the_spec_instructions(
    tmp_path: Path, make_config: Callable[..., RuntimeConfig], openai_double: OpenAIDouble
) -> None:
    app = tmp_path / "artifact" / "app"
    app.mkdir(parents=True)
    (app / "bot_module.py").write_text(
        "from livekit.agents import Agent\n\n\nclass Bot(Agent):\n    pass\n"
    )
    agent_class = load(tmp_path / "artifact", "bot_module")
    assert agent_class.__name__ == "Bot"
    started: list[AgentSession[Any]] = []
    config = make_config(instructions="Answer in one word.")
    await run_agent_class(text_context(config, started), agent_class)
    async with started[0] as session:
        result = await session.run(user_input="hi")
        result.expect.next_event().is_message(role="assistant")
    assert openai_double.chat_requests()[-1]["messages"][0]["content"] == "Answer in one word."


def run_runner(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "arkenos_agent_runtime.custom", *args],
        env={**os.environ, "ARKENOS_API_URL": "http://127.0.0.1:9", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_runner_refuses_to_start_without_its_agent_identity(artifact: Path) -> None:
    result = run_runner("--artifact-dir", str(artifact), "--entrypoint", "agent", env={})
    assert result.returncode == 2
    assert result.stderr.startswith("arkenos-custom-runner: invalid settings: ")
    for name in ("ARKENOS_WORKSPACE", "ARKENOS_AGENT", "ARKENOS_DISPATCH_NAME"):
        assert f"{name} is required" in result.stderr


def test_runner_stops_with_the_reason_when_user_code_is_broken(artifact: Path) -> None:
    (artifact / "app" / "agent.py").write_text("async def entrypoint(ctx):\n  return )\n")
    identity = {
        "ARKENOS_WORKSPACE": "acme",
        "ARKENOS_AGENT": "night-desk",
        "ARKENOS_DISPATCH_NAME": "arkenos-custom-acme-night-desk",
    }
    result = run_runner("--artifact-dir", str(artifact), "--entrypoint", "agent", env=identity)
    assert result.returncode == 1
    assert "cannot load the agent: syntax error in agent.py:2" in result.stderr
