"""VoiceAgent reconciliation: standard agents (validated, served by the shared pool) and custom
agents (built from a bundle or run from an image, in their own isolated pods)."""
