"""Reporting a session to the API (transcripts, usage, turn latency), off the audio path."""
