"""Whether this replica acts, read from kopf's peering objects, for the work kopf does not run.

kopf pauses a replica (no events processed, its timers and daemons stopped) while a live peer
in the peering object has a higher priority, while two live peers share a priority (it pauses
them all), and while a mandatory peering object is missing. The operator's own periodic work
(the sweep of custom agents) is not kopf's, so nothing pauses it: it asks this gate before each
pass, and the gate applies kopf's rule to the same objects (kopf 1.45's ``process_peering_event``).

A peer is told apart by its priority, not its identity: every replica draws a random one
(settings), so the one entry with our priority is ourselves, and a second one is a tie, on
which kopf pauses everyone. Cluster-wide, kopf uses one ClusterKopfPeering; with a list of
namespaces, a KopfPeering in each, and any of them pausing pauses the operator.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from kubernetes_asyncio.client.exceptions import ApiException

from arkenos_operator.kube import Kind, KubeClient

LOGGER = logging.getLogger("arkenos_operator.peering")
CLUSTER_PEERINGS = Kind("kopf.dev", "v1", "clusterkopfpeerings", "ClusterKopfPeering")
NAMESPACED_PEERINGS = Kind("kopf.dev", "v1", "kopfpeerings", "KopfPeering")
#: kopf's default when a peer's entry does not say.
DEFAULT_LIFETIME_S = 60


def _deadline(entry: Mapping[str, Any]) -> datetime | None:
    """When a peer's entry expires (kopf: ``lastseen + lifetime``); None if it says no time."""
    lastseen = entry.get("lastseen")
    if not isinstance(lastseen, str):
        return None
    try:
        seen = datetime.fromisoformat(lastseen)
    except ValueError:
        return None
    if seen.tzinfo is None:
        seen = seen.replace(tzinfo=UTC)
    return seen + timedelta(seconds=int(entry.get("lifetime", DEFAULT_LIFETIME_S)))


def outranked(status: Mapping[str, Any], priority: int, now: datetime) -> bool:
    """Whether kopf pauses the replica of ``priority`` on this peering object's status."""
    live = [
        int(entry.get("priority", 0))
        for entry in status.values()
        if isinstance(entry, Mapping) and (deadline := _deadline(entry)) and deadline > now
    ]
    return any(other > priority for other in live) or live.count(priority) > 1


@dataclass
class PeeringGate:
    """Answers "does this replica act now?" from the peering objects (one read each)."""

    kube: KubeClient
    name: str
    priority: int
    #: The watched namespaces; empty means cluster-wide (one ClusterKopfPeering).
    namespaces: Sequence[str] = ()
    #: Until the first read, and after a failed one, the last answer stands; none yet: wait.
    acting: bool = False
    #: The sweep asks every pass; the objects are read at most this often (kopf itself reacts
    #: to a peer within its keepalive, tens of seconds).
    recheck_seconds: float = 5.0
    _read_at: float | None = None

    async def check(self) -> bool:
        started = time.monotonic()
        if self._read_at is not None and started - self._read_at < self.recheck_seconds:
            return self.acting
        self._read_at = started
        now = datetime.now(UTC)
        try:
            acting = True
            scopes: list[str | None] = [*self.namespaces] or [None]
            for namespace in scopes:
                kind = CLUSTER_PEERINGS if namespace is None else NAMESPACED_PEERINGS
                body = await self.kube.get_or_none(kind, namespace, self.name)
                where = self.name if namespace is None else f"{namespace}/{self.name}"
                if body is None:
                    # kopf waits while a mandatory peering object is missing.
                    LOGGER.warning("The peering object %s is missing; waiting for it.", where)
                    acting = False
                elif outranked(body.get("status") or {}, self.priority, now):
                    acting = False
        except (ApiException, aiohttp.ClientError, TimeoutError) as error:
            LOGGER.warning("Could not read the peering objects (%s); the last answer holds.", error)
            return self.acting
        if acting != self.acting:
            LOGGER.info("This replica %s.", "acts" if acting else "pauses: a peer acts")
        self.acting = acting
        return acting
