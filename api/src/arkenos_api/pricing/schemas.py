"""Bodies of the pricing routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from arkenos_api.core.schemas import Schema

ITEM_PATTERN = r"^[a-z0-9][a-z0-9._-]*/[A-Za-z0-9._:-]+/[a-z_]+$"


class PriceIn(Schema):
    item: str = Field(
        max_length=256,
        pattern=ITEM_PATTERN,
        description="Catalogue item: provider/model/metric.",
        examples=["openai/gpt-4o-mini/llm_input_tokens"],
    )
    micros: int = Field(ge=0, le=10**15, description="Price in micro-units for `per` units.")
    per: int = Field(gt=0, le=10**12, description="How many units the price is for.")


class OverridesIn(Schema):
    overrides: list[PriceIn] = Field(max_length=500, description="Replaces every override.")


class PriceOut(PriceIn):
    source: str = Field(description="catalogue or override.")


class PricingOut(Schema):
    version: str = Field(description="Catalogue version in effect now.")
    effective_from: datetime
    currency: str
    items: list[PriceOut]
