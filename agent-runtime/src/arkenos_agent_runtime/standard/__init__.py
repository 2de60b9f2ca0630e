"""The shared standard worker: one LiveKit agent name serving every dashboard-configured
agent, building each call's pipeline from the agent's runtime config."""
