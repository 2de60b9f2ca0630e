"""Post-call analysis and structured extraction: one model call per ended session, its answer
validated against the agent's ``spec.analysis``, stored with the session."""
