"""One call's core, shared by the standard worker and the custom runner: which agent a job
is for, the config fetch overlapped with the room connection, the clients and the session
built from the config, and supervision (reporting, the maximum duration, drain endings).
``standard/`` and ``custom/`` are thin entry points over it."""
