"""The one place that picks a free TCP port on the loopback interface."""

import socket

LOOPBACK = "127.0.0.1"


def free_port(host: str = LOOPBACK) -> int:
    """Return a TCP port that nothing listens on right now.

    Prefer letting a server bind port 0 and reading the port back; use this only for servers
    (such as PostgreSQL) that must be told their port before they start.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port
