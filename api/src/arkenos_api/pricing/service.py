"""A session's usage priced against the catalogue version in effect when the call started,
with the workspace's overrides: integer micro-units only, and an item with no price is
reported as unpriced (never as free)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.internal.models import CallSession, UsageEventRow
from arkenos_api.pricing.catalogue import Price, catalogue
from arkenos_api.pricing.models import PriceOverride
from arkenos_crds.runtime import CallDirection

#: Participants a call keeps in its room: the caller (browser or SIP) and the agent.
ROOM_PARTICIPANTS = 2
LIVEKIT_ITEM = "livekit/room/participant_ms"
TELEPHONY_ITEMS = {
    CallDirection.INBOUND: "twilio/sip/inbound_ms",
    CallDirection.OUTBOUND: "twilio/sip/outbound_ms",
}


@dataclass(frozen=True)
class CostLine:
    item: str
    quantity: int
    price: Price | None
    source: str  # "catalogue", "override" or "unpriced"

    @property
    def micros(self) -> int | None:
        return None if self.price is None else self.price.cost(self.quantity)

    def to_json(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "quantity": self.quantity,
            "unitMicros": self.price.micros if self.price else None,
            "per": self.price.per if self.price else None,
            "micros": self.micros,
            "status": "unpriced" if self.price is None else "priced",
            "source": self.source,
        }


@dataclass(frozen=True)
class CostBreakdown:
    version: str
    currency: str
    lines: list[CostLine]

    @property
    def unpriced(self) -> list[str]:
        return [line.item for line in self.lines if line.price is None]

    @property
    def priced_micros(self) -> int:
        return sum(line.micros or 0 for line in self.lines)

    @property
    def total_micros(self) -> int | None:
        """The total, or None when any item is unpriced (a partial sum is not the cost)."""
        return None if self.unpriced else self.priced_micros

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "currency": self.currency,
            "status": "unpriced" if self.unpriced else "priced",
            "totalMicros": self.total_micros,
            "pricedMicros": self.priced_micros,
            "unpricedItems": self.unpriced,
            "lines": [line.to_json() for line in self.lines],
        }


def derived_usage(session: CallSession) -> dict[str, int]:
    """Usage the worker does not report but the call's length implies: room minutes of every
    participant, and telephony minutes of a phone call."""
    duration = session.duration_ms
    if duration is None and session.ended_at is not None:
        duration = int((session.ended_at - session.started_at).total_seconds() * 1000)
    if not duration or duration < 0:
        return {}
    usage = {LIVEKIT_ITEM: duration * ROOM_PARTICIPANTS}
    telephony = TELEPHONY_ITEMS.get(CallDirection(session.direction))
    if telephony:
        usage[telephony] = duration
    return usage


async def reported_usage(db_session: AsyncSession, session_id: uuid.UUID) -> dict[str, int]:
    rows = await db_session.execute(
        select(
            UsageEventRow.provider,
            UsageEventRow.model,
            UsageEventRow.metric,
            func.sum(UsageEventRow.quantity),
        )
        .where(UsageEventRow.session_id == session_id)
        .group_by(UsageEventRow.provider, UsageEventRow.model, UsageEventRow.metric)
    )
    return {f"{p}/{m}/{metric}": int(total) for p, m, metric, total in rows}


async def workspace_overrides(
    db_session: AsyncSession, workspace_id: uuid.UUID
) -> dict[str, Price]:
    rows = await db_session.scalars(
        select(PriceOverride).where(PriceOverride.workspace_id == workspace_id)
    )
    return {row.item: Price(micros=row.micros, per=row.per) for row in rows}


def price_usage(
    usage: dict[str, int], version_name: str, overrides: dict[str, Price]
) -> CostBreakdown:
    """Pure: ``usage`` (item -> quantity) priced with one catalogue version and overrides."""
    data = catalogue()
    version = data.version_named(version_name)
    if version is None:
        raise ValueError(f"no pricing catalogue version {version_name}")
    lines = []
    for item in sorted(usage):
        if item in overrides:
            lines.append(CostLine(item, usage[item], overrides[item], "override"))
        elif item in version.items:
            lines.append(CostLine(item, usage[item], version.items[item], "catalogue"))
        else:
            lines.append(CostLine(item, usage[item], None, "unpriced"))
    return CostBreakdown(version.version, data.currency, lines)


async def price_session(*, db_session: AsyncSession, session: CallSession) -> CostBreakdown:
    """Price a session (at its end, or again later) and store the breakdown on it."""
    version = session.pricing_version or catalogue().version_at(session.started_at).version
    usage = await reported_usage(db_session, session.id)
    usage.update(derived_usage(session))
    overrides = await workspace_overrides(db_session, session.workspace_id)
    breakdown = price_usage(usage, version, overrides)
    session.pricing_version = breakdown.version
    session.cost = breakdown.to_json()
    session.cost_micros = breakdown.total_micros
    return breakdown
