"""Starting points the dashboard offers when creating an agent."""

from __future__ import annotations

from arkenos_api.agents.schemas import AgentTemplate
from arkenos_crds.pipeline import Greeting, TTSConfig
from arkenos_crds.providers import ModelProvider
from arkenos_crds.voiceagent import AnalysisField, AnalysisSpec, VoiceAgentSpec


def agent_templates() -> list[AgentTemplate]:
    return [
        AgentTemplate(
            id="blank",
            title="Blank",
            description="The platform defaults: OpenAI for speech, language and voice.",
            spec=VoiceAgentSpec(),
        ),
        AgentTemplate(
            id="receptionist",
            title="Receptionist",
            description="Answers the phone, takes a message and says goodbye.",
            spec=VoiceAgentSpec(
                display_name="Receptionist",
                instructions=(
                    "You are the receptionist of {{company}}. Greet the caller, find out why "
                    "they call, take their name and number, and say someone will call back."
                ),
                greeting=Greeting(text="Hello, thanks for calling. How can I help?"),
                tts=TTSConfig(provider=ModelProvider.CARTESIA, model="sonic-2", voice="a0e99841"),
            ),
        ),
        AgentTemplate(
            id="appointment-reminder",
            title="Appointment reminder",
            description="Calls out, confirms an appointment and records the answer.",
            spec=VoiceAgentSpec(
                display_name="Appointment reminder",
                instructions=(
                    "You call {{caller_name}} to confirm their appointment on {{date}}. Ask "
                    "whether they will come; offer to pass on a request to reschedule."
                ),
                greeting=Greeting(text="Hi, this is a reminder about your appointment."),
                analysis=AnalysisSpec(
                    enabled=True,
                    success_criteria="The caller confirmed or asked to reschedule.",
                    fields=[
                        AnalysisField(
                            name="confirmed",
                            type="Boolean",
                            description="Whether the caller confirmed the appointment.",
                        )
                    ],
                ),
            ),
        ),
    ]
