"""Each webhook delivery is acted on once: its id is recorded in the same transaction as what
it changed, and a delivery seen before is refused as a replay."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.core.errors import ApiError
from arkenos_api.webhooks.models import WebhookReceipt


def rejected(message: str) -> ApiError:
    return ApiError(401, "webhook_rejected", message)


async def record_once(db_session: AsyncSession, receipt_id: str, kind: str) -> None:
    """Record the delivery, or refuse it (401) when it was received before."""
    inserted = await db_session.scalar(
        insert(WebhookReceipt)
        .values(id=receipt_id, kind=kind)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(WebhookReceipt.id)
    )
    if inserted is None:
        raise rejected(f"delivery {receipt_id} was already received (a replay)")
