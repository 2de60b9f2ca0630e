"""The built-in tools: end_call hangs up, transfer_call moves a SIP caller to one of the
numbers the tool's config allows (and to no other)."""

from __future__ import annotations

import logging

from livekit.agents import RunContext, ToolError, function_tool

from arkenos_agent_runtime.tools.context import AnyTool, CallData
from arkenos_crds.runtime import EndReason
from arkenos_crds.tools import Tool

logger = logging.getLogger("arkenos.tools")

NUMBER_PARAMETERS = {
    "type": "object",
    "properties": {
        "number": {"type": "string", "description": "E.164 number to transfer the call to."}
    },
    "required": ["number"],
}


def build_end_call(tool: Tool) -> AnyTool:
    description = tool.description or "Hang up the call when the conversation is over."
    schema = {"name": tool.name, "description": description, "parameters": {"type": "object"}}

    async def handler(raw_arguments: dict[str, object], context: RunContext[CallData]) -> str:
        call = context.userdata
        call.end_reason = EndReason.AGENT_ENDED
        # Let the goodbye already queued finish before the room goes away.
        await context.wait_for_playout()
        try:
            await call.telephony.hang_up()
        except Exception as exc:
            call.count_tool(tool.name, "error")
            logger.exception("hanging up failed", extra={"room": call.room})
            raise ToolError("the call could not be ended") from exc
        call.count_tool(tool.name, "ok")
        return "The call has ended."

    return function_tool(handler, raw_schema=schema)


def build_transfer_call(tool: Tool) -> AnyTool:
    assert tool.transfer is not None
    allowed = list(tool.transfer.allowed_numbers)
    parameters = {
        **NUMBER_PARAMETERS,
        "properties": {"number": {**NUMBER_PARAMETERS["properties"]["number"], "enum": allowed}},  # type: ignore[index]
    }
    description = tool.description or "Transfer the caller to a person."
    schema = {"name": tool.name, "description": description, "parameters": parameters}

    async def handler(raw_arguments: dict[str, object], context: RunContext[CallData]) -> str:
        call = context.userdata
        number = str(raw_arguments.get("number", ""))
        if number not in allowed:
            call.count_tool(tool.name, "refused")
            raise ToolError(
                f"transfers to {number or 'that number'} are not allowed; "
                f"allowed: {', '.join(allowed)}"
            )
        if call.sip_participant is None:
            call.count_tool(tool.name, "refused")
            raise ToolError("only phone calls can be transferred")
        await context.wait_for_playout()
        try:
            await call.telephony.transfer(call.sip_participant, number)
        except Exception as exc:
            call.count_tool(tool.name, "error")
            logger.exception("transfer failed", extra={"room": call.room})
            raise ToolError(f"the transfer to {number} failed") from exc
        call.end_reason = EndReason.TRANSFERRED
        call.count_tool(tool.name, "ok")
        return f"The call was transferred to {number}."

    return function_tool(handler, raw_schema=schema)
