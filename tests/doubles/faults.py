"""Fault injection shared by the HTTP test doubles: fail or delay the next N matching requests.

A double consults its :class:`FaultPlan` before handling a request. A fault matches an
operation name the double chooses (``"POST IncomingPhoneNumbers"`` for Twilio,
``"SIP.CreateSIPInboundTrunk"`` for LiveKit) and fires ``times`` times, then disarms itself,
so a test can say "the first purchase fails with a 429" and watch the code under test
recover.

A fault with ``after=True`` fires once the request has taken effect: the double changes its
state, then answers with the fault (or sleeps past the client's timeout). That is how a test
loses the answer to a request that succeeded, the way a crash or a dropped connection would.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field


@dataclass
class Fault:
    """One armed fault. ``status`` None means "only delay", for timeouts."""

    operation: str
    status: int | None = None
    times: int = 1
    delay: float = 0.0
    message: str | None = None
    after: bool = False
    #: Extra error details a double sends along (LiveKit's Twirp ``meta``, e.g. SIP status).
    meta: dict[str, str] | None = None
    fired: int = 0

    @property
    def armed(self) -> bool:
        return self.fired < self.times


@dataclass
class CallLog:
    """Operation names of the requests a double served, in order; thread-safe like the plan."""

    calls: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, operation: str) -> None:
        with self._lock:
            self.calls.append(operation)

    def count(self, operation: str) -> int:
        with self._lock:
            return self.calls.count(operation)

    def since(self, start: int) -> list[str]:
        with self._lock:
            return self.calls[start:]

    def __len__(self) -> int:
        with self._lock:
            return len(self.calls)


@dataclass
class FaultPlan:
    """Faults armed on a double; thread-safe because tests arm them from another thread."""

    faults: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(
        self,
        operation: str,
        status: int | None = None,
        *,
        times: int = 1,
        delay: float = 0.0,
        message: str | None = None,
        after: bool = False,
        meta: dict[str, str] | None = None,
    ) -> Fault:
        fault = Fault(operation, status, times, delay, message, after, meta)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    def take(self, operation: str, after: bool = False) -> Fault | None:
        """The first armed fault for ``operation`` (before or after the request took effect),
        counted as fired."""
        with self._lock:
            for fault in self.faults:
                if fault.armed and fault.operation == operation and fault.after == after:
                    fault.fired += 1
                    return fault
        return None

    def fired(self, operation: str) -> int:
        with self._lock:
            return sum(f.fired for f in self.faults if f.operation == operation)

    async def apply(self, operation: str, after: bool = False) -> Fault | None:
        """Sleep for a matching fault's delay; return it when it also carries a status."""
        fault = self.take(operation, after)
        if fault is None:
            return None
        if fault.delay:
            await asyncio.sleep(fault.delay)
        return fault if fault.status is not None else None
