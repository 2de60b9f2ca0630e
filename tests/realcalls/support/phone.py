"""A phone caller on loopback: sipp places the call (INVITE with a G.711 µ-law offer, ACK,
BYE after a set time) and this module is its RTP endpoint: it speaks into the call and counts
and decodes the agent's RTP, noting when each stretch of the agent's speech starts.

The SDP sipp sends names this endpoint's UDP port, so the media server sends its RTP here;
the media server's own address is learnt from its first packet (symmetric RTP).
"""

from __future__ import annotations

import asyncio
import shutil
import struct
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tests.realcalls.support.caller import SPEECH_RMS, Heard
from tests.realcalls.support.g711 import ulaw_decode, ulaw_encode

RTP_HEADER = struct.Struct("!BBHII")
PCMU = 0
PHONE_RATE = 8000
PACKET_SAMPLES = PHONE_RATE // 50  # 20 ms
SSRC = 0x41524B4E

SCENARIO = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="inbound call with a G.711 offer">
  <send retrans="500">
    <![CDATA[
      INVITE sip:{callee}@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{caller}@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:{callee}@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:{caller}@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=- 1 1 IN IP4 127.0.0.1
      s=arkenos
      c=IN IP4 127.0.0.1
      t=0 0
      m=audio {rtp_port} RTP/AVP 0
      a=rtpmap:0 PCMU/8000
      a=ptime:20
      a=sendrecv
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rrs="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{caller}@[local_ip]:[local_port]>;tag=[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      [routes]
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <pause milliseconds="{hold_ms}"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{caller}@[local_ip]:[local_port]>;tag=[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 2 BYE
      [routes]
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200" crlf="true"/>
</scenario>
"""


def write_scenario(path: Path, *, caller: str, callee: str, rtp_port: int, hold_ms: int) -> Path:
    path.write_text(
        SCENARIO.format(caller=caller, callee=callee, rtp_port=rtp_port, hold_ms=hold_ms)
    )
    return path


async def place_call(
    scenario: Path, sip_host: str, sip_port: int, log_folder: Path
) -> asyncio.subprocess.Process:
    """Start sipp for one call of ``scenario``; it exits when the call is over."""
    sipp = shutil.which("sipp")
    if sipp is None:
        raise RuntimeError("sipp is not installed: run hack/install-media-deps.sh")
    argv = [
        sipp,
        f"{sip_host}:{sip_port}",
        "-sf",
        str(scenario),
        "-i",
        "127.0.0.1",
        "-m",
        "1",
        "-nostdin",
        "-timeout",
        "120",
        "-trace_msg",
        "-message_file",
        str(log_folder / "sipp-messages.log"),
        "-trace_err",
        "-error_file",
        str(log_folder / "sipp-errors.log"),
    ]
    log = (log_folder / "sipp.log").open("wb")
    try:
        return await asyncio.create_subprocess_exec(
            *argv, stdout=log, stderr=asyncio.subprocess.STDOUT, stdin=asyncio.subprocess.DEVNULL
        )
    finally:
        log.close()


@dataclass
class RtpEndpoint(asyncio.DatagramProtocol):
    """The phone's media: G.711 µ-law RTP in and out of one UDP port. Like a phone, it sends
    a packet every 20 ms once the call's media flows (silence, or queued speech)."""

    heard: Heard = field(default_factory=Heard)
    packets: int = 0
    peer: tuple[str, int] | None = None
    transport: asyncio.DatagramTransport | None = None
    _pending: deque[np.ndarray] = field(default_factory=deque)
    _spoken: asyncio.Event = field(default_factory=asyncio.Event)
    _speech_ended_at: float = 0.0
    _sender: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment] - a datagram endpoint's transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if len(data) <= RTP_HEADER.size or data[0] >> 6 != 2 or data[1] & 0x7F != PCMU:
            return
        self.packets += 1
        if self.peer is None:
            self.peer = addr
            self._sender = asyncio.get_running_loop().create_task(self._send())
        samples = ulaw_decode(data[RTP_HEADER.size :]).astype(np.float64)
        rms = float(np.sqrt(np.mean(samples * samples)))
        self.heard.note(rms > SPEECH_RMS, time.perf_counter())

    @property
    def port(self) -> int:
        assert self.transport is not None
        port: int = self.transport.get_extra_info("sockname")[1]
        return port

    async def say(self, samples_8k: np.ndarray) -> float:
        """Speak ``samples_8k`` in real time; return when the last packet went out."""
        self._spoken.clear()
        for start in range(0, len(samples_8k) - PACKET_SAMPLES + 1, PACKET_SAMPLES):
            self._pending.append(samples_8k[start : start + PACKET_SAMPLES])
        await self._spoken.wait()
        return self._speech_ended_at

    async def agent_speech_after(self, after: float, within: float) -> float:
        async with asyncio.timeout(within):
            while True:
                for stretch in self.heard.stretches:
                    if stretch.started_at > after:
                        return stretch.started_at
                self.heard.changed.clear()
                await self.heard.changed.wait()

    def close(self) -> None:
        if self._sender is not None:
            self._sender.cancel()
        if self.transport is not None:
            self.transport.close()

    async def _send(self) -> None:
        assert self.transport is not None
        assert self.peer is not None
        silence = np.zeros(PACKET_SAMPLES, np.int16)
        sequence = timestamp = 0
        next_at = time.perf_counter()
        while True:
            speaking = bool(self._pending)
            chunk = self._pending.popleft() if speaking else silence
            header = RTP_HEADER.pack(0x80, PCMU, sequence & 0xFFFF, timestamp, SSRC)
            self.transport.sendto(header + ulaw_encode(chunk), self.peer)
            sequence, timestamp = sequence + 1, (timestamp + PACKET_SAMPLES) & 0xFFFFFFFF
            if speaking and not self._pending:
                self._speech_ended_at = time.perf_counter()
                self._spoken.set()
            next_at += PACKET_SAMPLES / PHONE_RATE
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))


async def open_rtp_endpoint() -> RtpEndpoint:
    loop = asyncio.get_running_loop()
    _, endpoint = await loop.create_datagram_endpoint(RtpEndpoint, local_addr=("127.0.0.1", 0))
    return endpoint
