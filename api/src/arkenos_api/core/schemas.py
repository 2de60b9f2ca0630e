"""Shared pieces of request and response bodies."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from arkenos_crds.meta import DNS_LABEL


class Schema(BaseModel):
    """camelCase on the wire, unknown fields refused."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


EMAIL_MAX_LENGTH = 320


def _lower_email(value: str) -> str:
    # Lower-casing can lengthen text ("İ" becomes "i" and a combining dot): check the length
    # of what is stored, not of what was sent.
    lowered = value.lower()
    if len(lowered) > EMAIL_MAX_LENGTH:
        raise ValueError(f"an email has at most {EMAIL_MAX_LENGTH} characters (lower-cased)")
    return lowered


Email = Annotated[
    str,
    Field(min_length=3, max_length=EMAIL_MAX_LENGTH, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
    AfterValidator(_lower_email),
]
Password = Annotated[str, Field(min_length=12, max_length=1024)]
NamespaceName = Annotated[
    str, Field(min_length=1, max_length=63, pattern=DNS_LABEL, examples=["acme"])
]


# Labels are checked as the Kubernetes API server checks them (IsQualifiedName for keys,
# IsValidLabelValue for values), so a label the cluster would refuse, or text it cannot
# store, is a 422 here instead of a failure later.
_LABEL_NAME = r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_PREFIX = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
LABEL_KEY = rf"^({_LABEL_PREFIX}/)?{_LABEL_NAME}$"
LABEL_VALUE = rf"^({_LABEL_NAME})?$"
MAX_LABELS = 64  # Kubernetes sets no count; this keeps one resource's metadata small.


def _label_key_parts(key: str) -> str:
    prefix, _, name = key.rpartition("/")
    if len(prefix) > 253:
        raise ValueError("a label key's prefix has at most 253 characters")
    if len(name) > 63:
        raise ValueError("a label key's name has at most 63 characters")
    return key


LabelKey = Annotated[
    str, Field(min_length=1, max_length=317, pattern=LABEL_KEY), AfterValidator(_label_key_parts)
]
LabelValue = Annotated[str, Field(max_length=63, pattern=LABEL_VALUE)]
Labels = Annotated[dict[LabelKey, LabelValue], Field(max_length=MAX_LABELS)]
