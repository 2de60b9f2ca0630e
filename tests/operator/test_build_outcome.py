"""Reading a build's outcome from its Job and pod: running, built (artifact digest), failed
(reason and message tail), and a broken contract."""

from __future__ import annotations

from typing import Any

from arkenos_operator.voiceagent.build import BuildOutcome, BuildState, build_outcome
from tests.operator.fake_controllers import terminated_status

ARTIFACT = "sha256:" + "a" * 64


def job(
    status: dict[str, Any] | None = None, annotations: dict[str, str] | None = None
) -> dict[str, Any]:
    return {"metadata": {"name": "b", "annotations": annotations or {}}, "status": status or {}}


def pod(message: str, exit_code: int = 0, created: str = "2026-01-01T00:00:00Z") -> dict[str, Any]:
    return {
        "metadata": {"creationTimestamp": created},
        "status": terminated_status(message, exit_code),
    }


COMPLETE = {"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]}
FAILED = {
    "failed": 2,
    "conditions": [
        {"type": "Failed", "status": "True", "reason": "DeadlineExceeded", "message": "too slow"}
    ],
}


def test_running_until_the_job_finishes() -> None:
    assert build_outcome(job(), []) == BuildOutcome(BuildState.RUNNING)
    # Complete, but the pod's termination message has not been read yet.
    assert build_outcome(job(COMPLETE), []) == BuildOutcome(BuildState.RUNNING)


def test_success_reads_the_artifact_digest() -> None:
    outcome = build_outcome(job(COMPLETE), [pod(f'{{"artifactDigest": "{ARTIFACT}"}}')])
    assert outcome == BuildOutcome(BuildState.SUCCEEDED, artifact_digest=ARTIFACT)


def test_a_recorded_artifact_wins_even_without_pods() -> None:
    recorded = job(COMPLETE, {"arkenos.io/artifact-digest": ARTIFACT})
    assert build_outcome(recorded, []) == BuildOutcome(
        BuildState.SUCCEEDED, artifact_digest=ARTIFACT
    )


def test_failure_carries_the_reason_and_the_newest_pods_message() -> None:
    pods = [
        pod("first attempt: timeout", 1, "2026-01-01T00:00:00Z"),
        pod(
            "ERROR: No matching distribution found for nonexistent-pkg==9.9",
            1,
            "2026-01-01T00:05:00Z",
        ),
    ]
    outcome = build_outcome(job(FAILED), pods)
    assert outcome == BuildOutcome(
        BuildState.FAILED,
        reason="DeadlineExceeded",
        message="ERROR: No matching distribution found for nonexistent-pkg==9.9",
    )
    assert build_outcome(job(FAILED), []).message == "too slow"


def test_long_logs_keep_their_tail() -> None:
    log = "x" * 5000 + "the real error"
    outcome = build_outcome(job(FAILED), [pod(log, 1)])
    assert outcome.message.endswith("the real error")
    assert len(outcome.message) == 2001


def test_success_without_a_digest_is_a_failed_build() -> None:
    outcome = build_outcome(job(COMPLETE), [pod("done!")])
    assert outcome.state is BuildState.FAILED
    assert outcome.reason == "InvalidBuildResult"
    assert outcome.message == "The build succeeded but reported no artifact digest: done!"
    bad_digest = build_outcome(job(COMPLETE), [pod('{"artifactDigest": "md5:abc"}')])
    assert bad_digest.state is BuildState.FAILED
