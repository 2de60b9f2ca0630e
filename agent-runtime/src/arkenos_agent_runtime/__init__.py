"""Arkenos agent runtime: the shared standard LiveKit Agents worker, the custom agent runner
and its build command, with the tools, reporting and health/metrics they share."""
