"""The shared test substrate: a real PostgreSQL server, the emulated Kubernetes API, and the
helpers they share (free ports, background event loops, polling with a deadline).
"""
