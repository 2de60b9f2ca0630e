"""Arkenos resource model: the arkenos.io custom resources as pydantic models, the CRDs
generated from them, and the runtime contract between the API and the workers."""

from arkenos_crds._base import compile_rules
from arkenos_crds.meta import API_VERSION, GROUP, VERSION, Condition, ConditionStatus
from arkenos_crds.phonenumber import PhoneNumber, PhoneNumberSpec, PhoneNumberStatus
from arkenos_crds.voiceagent import VoiceAgent, VoiceAgentSpec, VoiceAgentStatus
from arkenos_crds.workerpool import WorkerPool, WorkerPoolSpec, WorkerPoolStatus

__all__ = [
    "API_VERSION",
    "GROUP",
    "VERSION",
    "Condition",
    "ConditionStatus",
    "PhoneNumber",
    "PhoneNumberSpec",
    "PhoneNumberStatus",
    "VoiceAgent",
    "VoiceAgentSpec",
    "VoiceAgentStatus",
    "WorkerPool",
    "WorkerPoolSpec",
    "WorkerPoolStatus",
    "compile_rules",
]
