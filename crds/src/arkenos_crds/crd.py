"""CustomResourceDefinitions of the arkenos.io resources, built from the models."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from arkenos_crds.meta import GROUP, VERSION
from arkenos_crds.phonenumber import PhoneNumberSpec, PhoneNumberStatus
from arkenos_crds.schema import structural_schema
from arkenos_crds.voiceagent import VoiceAgentSpec, VoiceAgentStatus
from arkenos_crds.workerpool import WorkerPoolSpec, WorkerPoolStatus

CATEGORY = "voice"

_READY = '.status.conditions[?(@.type=="Ready")]'


def _column(
    name: str, json_path: str, description: str, type_: str = "string", priority: int = 0
) -> dict[str, Any]:
    column: dict[str, Any] = {
        "name": name,
        "type": type_,
        "jsonPath": json_path,
        "description": description,
    }
    if priority:
        column["priority"] = priority
    return column


READY_COLUMN = _column("Ready", f"{_READY}.status", "Whether the resource is ready.")
REASON_COLUMN = _column("Reason", f"{_READY}.reason", "Why it is (not) ready.", priority=1)
AGE_COLUMN = _column("Age", ".metadata.creationTimestamp", "Age.", type_="date")


@dataclass(frozen=True)
class ResourceDefinition:
    """What the generator needs to write one CRD."""

    kind: str
    plural: str
    singular: str
    short_names: tuple[str, ...]
    spec: type[BaseModel]
    status: type[BaseModel]
    description: str
    columns: tuple[dict[str, Any], ...]
    spec_required: bool = True

    @property
    def name(self) -> str:
        return f"{self.plural}.{GROUP}"

    def open_api_schema(self) -> dict[str, Any]:
        spec = structural_schema(self.spec)
        spec["description"] = self.spec.__doc__ or "Desired state."
        status = structural_schema(self.status)
        status["description"] = self.status.__doc__ or "Observed state."
        schema: dict[str, Any] = {
            "type": "object",
            "description": self.description,
            "properties": {
                "apiVersion": {
                    "type": "string",
                    "description": "APIVersion of this representation of the object.",
                },
                "kind": {"type": "string", "description": "Kind of the object."},
                # A real API server refuses anything more on metadata (even a description):
                # "must not specify anything other than name and generateName".
                "metadata": {"type": "object"},
                "spec": spec,
                "status": status,
            },
        }
        if self.spec_required:
            schema["required"] = ["spec"]
        else:
            schema["properties"]["spec"]["default"] = {}
        return schema

    def to_crd(self) -> dict[str, Any]:
        return {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {
                "name": self.name,
                "labels": {"app.kubernetes.io/part-of": "arkenos"},
            },
            "spec": {
                "group": GROUP,
                "scope": "Namespaced",
                "names": {
                    "kind": self.kind,
                    "listKind": f"{self.kind}List",
                    "plural": self.plural,
                    "singular": self.singular,
                    "shortNames": list(self.short_names),
                    "categories": [CATEGORY],
                },
                "versions": [
                    {
                        "name": VERSION,
                        "served": True,
                        "storage": True,
                        "subresources": {"status": {}},
                        "additionalPrinterColumns": list(self.columns),
                        "schema": {"openAPIV3Schema": self.open_api_schema()},
                    }
                ],
            },
        }


VOICE_AGENT = ResourceDefinition(
    kind="VoiceAgent",
    plural="voiceagents",
    singular="voiceagent",
    short_names=("va",),
    spec=VoiceAgentSpec,
    status=VoiceAgentStatus,
    description="A voice agent: standard (configured by fields, served by the shared worker "
    "pool) or custom (the user's own code in isolated pods).",
    columns=(
        READY_COLUMN,
        _column("Mode", ".spec.mode", "Standard or Custom."),
        REASON_COLUMN,
        _column("Dispatch", ".status.dispatchName", "LiveKit dispatch name.", priority=1),
        _column("Revision", ".status.revision", "Serving revision.", priority=1),
        AGE_COLUMN,
    ),
)

PHONE_NUMBER = ResourceDefinition(
    kind="PhoneNumber",
    plural="phonenumbers",
    singular="phonenumber",
    short_names=("pn",),
    spec=PhoneNumberSpec,
    status=PhoneNumberStatus,
    description="A phone line, bought or adopted, that routes calls to a VoiceAgent.",
    columns=(
        _column("Number", ".status.phoneNumber", "E.164 number."),
        _column("Agent", ".spec.agentRef.name", "VoiceAgent answering calls."),
        READY_COLUMN,
        REASON_COLUMN,
        _column("Outbound", ".spec.outbound", "Outbound calls allowed.", "boolean", priority=1),
        AGE_COLUMN,
    ),
)

WORKER_POOL = ResourceDefinition(
    kind="WorkerPool",
    plural="workerpools",
    singular="workerpool",
    short_names=("wp",),
    spec=WorkerPoolSpec,
    status=WorkerPoolStatus,
    description="The scaling policy and live state of the shared standard worker pool.",
    columns=(
        _column("Replicas", ".status.replicas", "Workers desired.", "integer"),
        _column("Sessions", ".status.activeSessions", "Calls in progress.", "integer"),
        _column("Capacity", ".status.capacity", "Sessions the ready workers hold.", "integer"),
        READY_COLUMN,
        REASON_COLUMN,
        AGE_COLUMN,
    ),
    spec_required=False,
)

ALL_RESOURCES: tuple[ResourceDefinition, ...] = (VOICE_AGENT, PHONE_NUMBER, WORKER_POOL)
