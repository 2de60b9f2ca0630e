"""The baseline of the voice benchmark: a bare livekit-agents worker in the shape of LiveKit's
own starter (AgentServer, Silero prewarmed, one AgentSession per job with the openai plugins),
configured like the platform's standard agent under test: the same models, the same OpenAI
double, the same greeting and turn handling. Run as ``python -m tests.bench.bare_worker``.

Environment: LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET, BARE_AGENT_NAME,
BARE_OPENAI_URL, BARE_OPENAI_KEY, BARE_HEALTH_PORT; BARE_TIMELINE_FILE (optional): where each
call's setup timeline (the platform worker's, arkenos_agent_runtime.call.timeline) is appended
as a JSON line, for the call setup bench.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from livekit.agents import Agent, AgentServer, AgentSession, JobContext, JobProcess, cli
from livekit.agents.voice.events import AgentStateChangedEvent
from livekit.plugins import openai, silero

from arkenos_agent_runtime.call.pipeline import turn_handling
from arkenos_agent_runtime.call.timeline import CallTimeline
from arkenos_crds.pipeline import TurnDetection
from tests.realcalls.support.agent import GREETING, agent_spec


def prewarm(proc: JobProcess) -> None:
    proc.userdata["vad"] = silero.VAD.load(min_silence_duration=0.25)


def no_load(_: AgentServer) -> float:
    # As in the platform worker: the host is shared, a CPU-based load must not refuse jobs.
    return 0.0


def write_timeline(session: AgentSession[None], timeline: CallTimeline) -> None:
    """Append the timeline once the greeting's first frame is out (after ``watch`` marks it)."""
    path = os.environ.get("BARE_TIMELINE_FILE")

    def on_state(event: AgentStateChangedEvent) -> None:
        if path and event.new_state == "speaking" and "greeting" in timeline.at:
            entry = {"message": "call setup", "room": timeline.room, "instants": timeline.at}
            with Path(path).open("a") as out:
                out.write(json.dumps(entry) + "\n")
            session.off("agent_state_changed", on_state)

    session.on("agent_state_changed", on_state)


async def entrypoint(ctx: JobContext) -> None:
    # Module-level (job processes unpickle it), configured from the environment.
    timeline = CallTimeline.of_job(ctx)
    url, key = os.environ["BARE_OPENAI_URL"], os.environ["BARE_OPENAI_KEY"]
    turns = TurnDetection.model_validate(agent_spec(url)["turnDetection"])
    session: AgentSession[None] = AgentSession(
        stt=openai.STT(model="gpt-4o-mini-transcribe", base_url=url, api_key=key),
        llm=openai.LLM(model="gpt-4o-mini", base_url=url, api_key=key),
        tts=openai.TTS(model="gpt-4o-mini-tts", base_url=url, api_key=key, response_format="pcm"),
        vad=ctx.proc.userdata["vad"],
        turn_handling=turn_handling(turns),
    )
    agent = Agent(instructions="You are support, a concise support agent.")
    timeline.watch(session, None)
    write_timeline(session, timeline)
    await session.start(agent, room=ctx.room)
    timeline.mark("session")
    session.say(GREETING)


def main() -> None:
    server = AgentServer(
        setup_fnc=prewarm,
        load_fnc=no_load,
        num_idle_processes=1,
        # A job process imports livekit-agents and the plugins afresh: slow on a busy host.
        initialize_process_timeout=120,
        port=int(os.environ["BARE_HEALTH_PORT"]),
    )
    server.rtc_session(entrypoint, agent_name=os.environ["BARE_AGENT_NAME"])
    cli.run_app(server)


if __name__ == "__main__":
    main()
