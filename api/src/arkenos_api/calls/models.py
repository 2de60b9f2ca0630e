"""Per-workspace call rules: where outbound calls may go and how many calls may run at once."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from arkenos_api.core.db import Base


class CallPolicy(Base):
    __tablename__ = "call_policies"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    #: ISO 3166-1 alpha-2 codes outbound calls may reach; null means every country.
    allowed_countries: Mapped[list[str] | None] = mapped_column(ARRAY(String(2)), default=None)
    allow_premium: Mapped[bool] = mapped_column(default=False)
    #: Null means the platform default (settings.max_concurrent_calls).
    max_concurrent_calls: Mapped[int | None] = mapped_column(default=None)
