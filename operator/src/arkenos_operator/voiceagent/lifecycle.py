"""The VoiceAgent's conditions, named by intent (Knative's lifecycle style).

Standard agents have only ``Ready``. Custom agents have ``Available`` and, when built from a
bundle, ``Built``; their ``Ready`` summarises those. A failed build leaves the previous revision
serving, and Ready says both.
"""

from __future__ import annotations

from typing import Any

from arkenos_crds.voiceagent import VoiceAgentConditionType as T
from arkenos_operator.conditions import ConditionSet

Body = dict[str, Any]

STANDARD_READY_MESSAGE = "Served by the shared worker pool."
#: Available reasons of an agent with ``min: 0`` and no pod available: Ready is True (a call is
#: served, after a cold start) and says so.
SCALED_TO_ZERO = "ScaledToZero"
COLD_START = "ColdStart"
SCALED_TO_ZERO_MESSAGE = (
    "Scaled to zero; the next call starts a pod and waits for it (a cold start)."
)


class AgentLifecycle:
    def __init__(self, agent: Body, custom: bool, builds: bool) -> None:
        status = agent.get("status") or {}
        dependents = ([T.BUILT] if builds else []) + ([T.AVAILABLE] if custom else [])
        self.conditions = ConditionSet(
            status.get("conditions"), dependents, agent["metadata"].get("generation")
        )
        if not builds:
            self.conditions.drop(T.BUILT)
        if not custom:
            self.conditions.drop(T.AVAILABLE)

    # --- any agent ---------------------------------------------------------------------
    def mark_not_ready(self, reason: str, message: str) -> None:
        """The spec or something it depends on is wrong (or not there yet)."""
        self.conditions.mark_false(T.READY, reason, message)

    # --- standard agents -----------------------------------------------------------------
    def mark_standard_ready(self) -> None:
        self.conditions.mark_true(T.READY, "Ready", STANDARD_READY_MESSAGE)

    # --- custom agents ---------------------------------------------------------------------
    def mark_building(self, job_name: str, digest: str) -> None:
        self.conditions.mark_unknown(
            T.BUILT, "Building", f'Job "{job_name}" is building bundle {digest}.'
        )

    def mark_built(self, artifact_digest: str) -> None:
        self.conditions.mark_true(T.BUILT, "Succeeded", f"Built artifact {artifact_digest}.")

    def mark_build_failed(self, reason: str, message: str) -> None:
        self.conditions.mark_false(T.BUILT, reason, message)

    def mark_available(self, available: int, desired: int) -> None:
        self.conditions.mark_true(
            T.AVAILABLE, "MinimumReplicasAvailable", f"{available} of {desired} pods available."
        )

    def mark_scaled_to_zero(self) -> None:
        self.conditions.mark_true(T.AVAILABLE, SCALED_TO_ZERO, SCALED_TO_ZERO_MESSAGE)

    def mark_cold_start(self, desired: int) -> None:
        self.conditions.mark_true(
            T.AVAILABLE,
            COLD_START,
            f"Starting from zero: 0 of {desired} pods available yet; waiting calls are served "
            "when the first pod registers.",
        )

    def mark_deploying(self, message: str) -> None:
        self.conditions.mark_unknown(T.AVAILABLE, "Deploying", message)

    def mark_unavailable(self, reason: str, message: str) -> None:
        self.conditions.mark_false(T.AVAILABLE, reason, message)

    def summarize(self, serving_revision: str | None) -> None:
        """Ready from Built and Available; a failed build names the revision still serving."""
        ready = self.conditions.summarize("Serving.")
        available = self.conditions.get(T.AVAILABLE)
        if (
            ready.status == "True"
            and available is not None
            and available.reason in (SCALED_TO_ZERO, COLD_START)
        ):
            self.conditions.mark_true(T.READY, available.reason, available.message)
            ready = self.conditions.get(T.READY) or ready
        built = self.conditions.get(T.BUILT)
        if built is not None and built.status == "False" and serving_revision:
            self.conditions.mark_false(
                T.READY,
                ready.reason,
                f"{ready.message} The previous revision {serving_revision} keeps serving.",
            )

    def to_wire(self) -> list[Body]:
        return self.conditions.to_wire()
