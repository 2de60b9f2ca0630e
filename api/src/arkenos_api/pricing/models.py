"""Per-workspace price overrides of catalogue items (a negotiated rate, a self-hosted model)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from arkenos_api.core.db import Base, utcnow


class PriceOverride(Base):
    __tablename__ = "price_overrides"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    #: Catalogue item key, for example "llm/openai/gpt-4o-mini/llm_input_tokens".
    item: Mapped[str] = mapped_column(String(256), primary_key=True)
    #: Price in micro-units for ``per`` units of the item's metric.
    micros: Mapped[int] = mapped_column(BigInteger)
    per: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
