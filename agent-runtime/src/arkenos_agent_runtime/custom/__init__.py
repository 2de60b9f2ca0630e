"""The custom agent runner: hosts a user's agent code from a built artifact under the agent's
own dispatch name, with the platform's config, reporting, health and metrics.

The contract for user code (see ``AgentContext`` and agent-runtime/README.md):
``async def entrypoint(ctx: AgentContext)`` in the entrypoint module, or an ``Agent`` subclass.
"""

from arkenos_agent_runtime.custom.context import AgentContext

__all__ = ["AgentContext"]
