"""The pricing catalogue shipped with the API (``catalogue.json``): versions with the date each
takes effect, and per version the price of every priced item in integer micro-units.

Loaded and validated once per process (it is package data, never edited at run time).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class Price(BaseModel):
    """``micros`` millionths of the currency for every ``per`` units of the metric."""

    micros: int = Field(ge=0)
    per: int = Field(gt=0)

    def cost(self, quantity: int) -> int:
        """The cost of ``quantity`` units in micros, rounded half up (integers only)."""
        return (quantity * self.micros * 2 + self.per) // (2 * self.per)


class CatalogueVersion(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    version: str = Field(max_length=32)
    effective_from: datetime
    items: dict[str, Price]


class Catalogue(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    currency: str
    comment: str = ""
    versions: list[CatalogueVersion] = Field(min_length=1)

    def version_at(self, when: datetime) -> CatalogueVersion:
        """The version in effect at ``when`` (the earliest one for calls before any)."""
        ordered = sorted(self.versions, key=lambda v: v.effective_from)
        current = ordered[0]
        for version in ordered:
            if version.effective_from <= when:
                current = version
        return current

    def version_named(self, name: str) -> CatalogueVersion | None:
        return next((v for v in self.versions if v.version == name), None)


@cache
def catalogue() -> Catalogue:
    raw = resources.files(__package__).joinpath("catalogue.json").read_text()
    return Catalogue.model_validate_json(raw)
