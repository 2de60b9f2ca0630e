"""Pieces every resource shares: conditions, object references and the status base."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field

from arkenos_crds._base import KubeModel

GROUP = "arkenos.io"
VERSION = "v1alpha1"
API_VERSION = f"{GROUP}/{VERSION}"

DNS_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
DNS_SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
E164 = r"^\+[1-9][0-9]{6,14}$"
SHA256_DIGEST = r"^sha256:[a-f0-9]{64}$"
REASON = r"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"
LANGUAGE_TAG = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
HTTP_URL = r"^https?://[^\s/$.?#][^\s]*$"
QUANTITY = r"^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$"

#: The largest values PostgreSQL's integer and bigint columns hold.
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1


def _in_utc(value: datetime) -> datetime:
    # Stored as timestamptz, that is in UTC: an offset that moves the instant outside
    # Python's years 1-9999 (0001-01-01T00:00:00+01:00) cannot be stored, so it is refused here.
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("the instant is outside the years 1-9999 in UTC") from exc


#: A date-time that can be stored: converted to UTC (a naive one is taken as UTC).
UtcDateTime = Annotated[datetime, AfterValidator(_in_utc)]

ResourceName = Annotated[str, Field(min_length=1, max_length=253, pattern=DNS_SUBDOMAIN)]
#: A Kubernetes namespace (and so a workspace) name.
NamespaceName = Annotated[str, Field(min_length=1, max_length=63, pattern=DNS_LABEL)]
PhoneNumberE164 = Annotated[str, Field(pattern=E164, max_length=16)]


class ConditionStatus(StrEnum):
    TRUE = "True"
    FALSE = "False"
    UNKNOWN = "Unknown"


class Condition(KubeModel):
    """The latest observation of one aspect of a resource, as Kubernetes API conventions
    describe it (metav1.Condition)."""

    type: str = Field(
        min_length=1,
        max_length=316,
        pattern=r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
        r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$",
        description="Type of condition in CamelCase, for example Ready.",
    )
    status: ConditionStatus = Field(description="Status of the condition: True, False or Unknown.")
    reason: str = Field(
        min_length=1,
        max_length=1024,
        pattern=REASON,
        description="Machine-readable CamelCase reason for the condition's last transition.",
    )
    message: str = Field(
        default="",
        max_length=32768,
        description="Human-readable message saying what the condition means right now and, "
        "when it is not True, what to do about it.",
    )
    last_transition_time: datetime = Field(
        description="When the condition last changed from one status to another (RFC 3339).",
    )
    observed_generation: int | None = Field(
        default=None,
        ge=0,
        description="The .metadata.generation the condition was set from.",
    )


def new_condition(
    type_: str,
    status: ConditionStatus | str,
    reason: str,
    message: str = "",
    observed_generation: int | None = None,
    now: datetime | None = None,
) -> Condition:
    return Condition(
        type=type_,
        status=ConditionStatus(status),
        reason=reason,
        message=message,
        last_transition_time=(now or datetime.now(UTC)).replace(microsecond=0),
        observed_generation=observed_generation,
    )


def set_condition(conditions: list[Condition], condition: Condition) -> list[Condition]:
    """Return ``conditions`` with ``condition`` in place of the one of the same type.

    The last transition time only moves when the status changes, as the API conventions ask.
    """
    result: list[Condition] = []
    replaced = False
    for existing in conditions:
        if existing.type != condition.type:
            result.append(existing)
            continue
        replaced = True
        if existing.status == condition.status:
            condition = condition.model_copy(
                update={"last_transition_time": existing.last_transition_time}
            )
        result.append(condition)
    if not replaced:
        result.append(condition)
    return result


def find_condition(conditions: list[Condition], type_: str) -> Condition | None:
    return next((c for c in conditions if c.type == type_), None)


class LocalObjectReference(KubeModel):
    """A reference to another object in the same namespace."""

    name: ResourceName = Field(description="Name of the referenced object.")


class SecretReference(KubeModel):
    """A reference to a Secret in the resource's own namespace."""

    name: ResourceName = Field(description="Name of the Secret.")


class ObjectMeta(KubeModel):
    """The parts of Kubernetes object metadata the models read. The API server owns the rest,
    so unknown fields are kept, not refused."""

    model_config = ConfigDict(extra="allow")

    name: str | None = Field(default=None, description="Name of the object.")
    namespace: str | None = Field(default=None, description="Namespace of the object.")
    uid: str | None = Field(default=None, description="UID the API server assigned.")
    generation: int | None = Field(default=None, description="Generation of the spec.")
    resource_version: str | None = Field(default=None, description="Resource version.")
    labels: dict[str, str] | None = Field(default=None, description="Labels.")
    annotations: dict[str, str] | None = Field(default=None, description="Annotations.")


class ResourceStatus(KubeModel):
    """Status fields every Arkenos resource has."""

    observed_generation: int | None = Field(
        default=None,
        ge=0,
        description="The .metadata.generation the status was computed from. When it is lower "
        "than .metadata.generation the operator has not yet acted on the latest spec.",
    )
    conditions: list[Condition] = Field(
        default_factory=list,
        description="Observations of the resource's state. Ready summarises the others.",
        json_schema_extra={
            "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["type"],
        },
    )
