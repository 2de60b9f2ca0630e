"""Shared pieces of request and response bodies."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from arkenos_crds.meta import DNS_LABEL


class Schema(BaseModel):
    """camelCase on the wire, unknown fields refused."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


Email = Annotated[
    str,
    Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    AfterValidator(str.lower),
]
Password = Annotated[str, Field(min_length=12, max_length=1024)]
NamespaceName = Annotated[
    str, Field(min_length=1, max_length=63, pattern=DNS_LABEL, examples=["acme"])
]
