"""LiveKit on loopback: Redis, livekit-server and livekit-sip as child processes, each on free
ports in one working directory, with generated API keys.

Media stays on 127.0.0.1: the server's node IP is loopback (it would otherwise look up a
public address), it gathers loopback candidates, and the STUN server it hands to clients is a
loopback port nothing answers on (without one it hands out public STUN servers). SIP and its
RTP range are bound to 127.0.0.1 too.
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arkenos_devstack.process import (
    LOOPBACK,
    ManagedProcess,
    free_port,
    http_ok,
    start_retrying_port_clashes,
    tcp_open,
)
from arkenos_devstack.tools import binary

#: UDP ports per livekit-sip call: one RTP port each side is enough for a handful of calls.
SIP_RTP_PORTS = 40
STARTUP_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class LiveKitKeys:
    """The API key pair livekit-server accepts and signs webhooks with."""

    api_key: str
    api_secret: str

    @classmethod
    def generate(cls) -> LiveKitKeys:
        return cls(f"API{secrets.token_hex(6)}", secrets.token_urlsafe(32))


def free_udp_port(host: str = LOOPBACK) -> int:
    return free_port(host, socket.SOCK_DGRAM)


def free_udp_and_tcp_port(host: str = LOOPBACK, attempts: int = 50) -> int:
    """A port free for both UDP and TCP now (SIP signalling listens on both)."""
    for _ in range(attempts):
        port = free_udp_port(host)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
        return port
    raise RuntimeError(f"no port free for both UDP and TCP on {host}")


def free_udp_range(size: int, host: str = LOOPBACK, attempts: int = 50) -> tuple[int, int]:
    """``size`` consecutive UDP ports that are free now (checked one by one)."""
    for _ in range(attempts):
        start = free_udp_port(host)
        if start + size > 65535:
            continue
        try:
            probes = []
            for port in range(start, start + size):
                probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                probes.append(probe)
                probe.bind((host, port))
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
        return start, start + size - 1
    raise RuntimeError(f"no {size} consecutive free UDP ports on {host}")


def _write_config(path: Path, config: dict[str, Any]) -> Path:
    # JSON is YAML: the Go servers read it with their YAML parsers, and no YAML writer is needed.
    path.write_text(json.dumps(config, indent=2) + "\n")
    return path


def server_config(
    keys: LiveKitKeys,
    *,
    host: str,
    port: int,
    rtc_udp_port: int,
    rtc_tcp_port: int,
    stun_port: int,
    redis_address: str,
    webhook_urls: list[str],
) -> dict[str, Any]:
    config: dict[str, Any] = {
        "port": port,
        "bind_addresses": [host],
        "keys": {keys.api_key: keys.api_secret},
        "redis": {"address": redis_address},
        "rtc": {
            "udp_port": str(rtc_udp_port),  # one muxed UDP port for every peer connection
            "tcp_port": rtc_tcp_port,
            "node_ip": host,
            "use_external_ip": False,
            "enable_loopback_candidate": True,
            "ips": {"includes": [f"{host}/32"]},
            # Clients are always given STUN servers, public ones unless some are configured:
            # a loopback port nothing answers on keeps them on this host.
            "stun_servers": [f"{host}:{stun_port}"],
        },
        "logging": {"level": "info", "pion_level": "error"},
    }
    if webhook_urls:
        config["webhook"] = {"api_key": keys.api_key, "urls": webhook_urls}
    return config


def sip_config(
    keys: LiveKitKeys,
    *,
    host: str,
    ws_url: str,
    redis_address: str,
    sip_port: int,
    rtp_ports: tuple[int, int],
    health_port: int,
) -> dict[str, Any]:
    return {
        "api_key": keys.api_key,
        "api_secret": keys.api_secret,
        "ws_url": ws_url,
        "redis": {"address": redis_address},
        "sip_port": sip_port,
        "rtp_port": f"{rtp_ports[0]}-{rtp_ports[1]}",
        "listen_ip": host,
        "nat_1_to_1_ip": host,  # no STUN lookup and no interface scan: announce loopback
        "use_external_ip": False,
        "health_port": health_port,
        # The host is shared with other work: do not refuse calls because the CPU is busy.
        "max_cpu_utilization": 1.0,
        "logging": {"level": "info"},
    }


@dataclass
class LiveKitStack:
    """Redis, livekit-server and (optionally) livekit-sip; ``start()`` waits for each.

    ``webhook_urls`` receive livekit-server's webhooks, signed with ``keys``.
    """

    workdir: Path
    webhook_urls: list[str] = field(default_factory=list)
    with_sip: bool = True
    host: str = LOOPBACK
    keys: LiveKitKeys = field(default_factory=LiveKitKeys.generate)
    processes: list[ManagedProcess] = field(default_factory=list)
    port: int = 0
    redis_port: int = 0
    sip_port: int = 0
    sip_rtp_ports: tuple[int, int] = (0, 0)

    @property
    def url(self) -> str:
        """The signalling URL clients and workers connect to."""
        return f"ws://{self.host}:{self.port}"

    @property
    def http_url(self) -> str:
        """The server API (Twirp) base URL."""
        return f"http://{self.host}:{self.port}"

    @property
    def redis_address(self) -> str:
        return f"{self.host}:{self.redis_port}"

    def log_file(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def start(self) -> LiveKitStack:
        self.workdir.mkdir(parents=True, exist_ok=True)
        try:
            self._start_redis()
            self._start_server()
            if self.with_sip:
                self.start_sip()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop every process, the last started first."""
        while self.processes:
            self.processes.pop().stop()

    def __enter__(self) -> LiveKitStack:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _run(self, name: str, argv: list[str | Path]) -> ManagedProcess:
        process = ManagedProcess(name, argv, log_file=self.log_file(name)).start()
        self.processes.append(process)
        return process

    def _start_redis(self) -> None:
        start_retrying_port_clashes(self._start_redis_once, self.processes)

    def _start_redis_once(self, _attempt: int) -> None:
        redis = shutil.which("redis-server")
        if redis is None:
            raise RuntimeError("redis-server is not installed: run hack/install-media-deps.sh")
        self.redis_port = free_port(self.host)
        data = self.workdir / "redis"
        data.mkdir(exist_ok=True)
        argv: list[str | Path] = [
            redis,
            "--bind",
            self.host,
            "--port",
            str(self.redis_port),
            "--dir",
            data,
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        process = self._run("redis", argv)
        process.wait_ready(tcp_open(self.redis_port, self.host), within=STARTUP_TIMEOUT_S)

    def _start_server(self) -> None:
        start_retrying_port_clashes(self._start_server_once, self.processes)

    def _start_server_once(self, _attempt: int) -> None:
        self.port = free_port(self.host)
        config = server_config(
            self.keys,
            host=self.host,
            port=self.port,
            rtc_udp_port=free_udp_port(self.host),
            rtc_tcp_port=free_port(self.host),
            stun_port=free_udp_port(self.host),
            redis_address=self.redis_address,
            webhook_urls=self.webhook_urls,
        )
        path = _write_config(self.workdir / "livekit-server.yaml", config)
        server = binary("livekit-server", "livekit-server")
        process = self._run("livekit-server", [server, "--config", path])
        process.wait_ready(
            http_ok(self.http_url), within=STARTUP_TIMEOUT_S, what=f"GET {self.http_url}/"
        )

    def start_sip(self) -> None:
        """Start livekit-sip (with the stack, or later for the tests that place phone calls)."""
        start_retrying_port_clashes(self._start_sip_once, self.processes)

    def _start_sip_once(self, _attempt: int) -> None:
        self.sip_port = free_udp_and_tcp_port(self.host)
        self.sip_rtp_ports = free_udp_range(SIP_RTP_PORTS, self.host)
        health_port = free_port(self.host)
        config = sip_config(
            self.keys,
            host=self.host,
            ws_url=self.url,
            redis_address=self.redis_address,
            sip_port=self.sip_port,
            rtp_ports=self.sip_rtp_ports,
            health_port=health_port,
        )
        path = _write_config(self.workdir / "livekit-sip.yaml", config)
        sip = binary("livekit-sip", "livekit-sip")
        process = self._run("livekit-sip", [sip, "--config", path])
        health = f"http://{self.host}:{health_port}/"
        process.wait_ready(http_ok(health), within=STARTUP_TIMEOUT_S, what=f"GET {health}")
