"""Webhook deliveries already acted on, so a replayed or retried delivery is acted on once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from arkenos_api.core.db import Base, utcnow


class WebhookReceipt(Base):
    __tablename__ = "webhook_receipts"

    #: "<source>:<the sender's event id>" (LiveKit's event id, Twilio's call SID + status).
    id: Mapped[str] = mapped_column(String(256), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
