"""Where kopf keeps what it knows about each object (kernel.persistence): the last handled
state in memory, by uid, built as kopf's annotation storage builds it and forgotten with the
object; and handlers' progress in annotations with kopf's marker only when a record stays."""

from __future__ import annotations

import json
from typing import Any

import kopf

from arkenos_operator.kernel.persistence import MemoryDiffBaseStorage, ProgressStorage

PREFIX = "operator.arkenos.io"
Body = dict[str, Any]


def agent(uid: str, **extra: Any) -> Body:
    return {
        "apiVersion": "arkenos.io/v1alpha1",
        "kind": "VoiceAgent",
        "metadata": {
            "name": f"a-{uid}",
            "namespace": "team-a",
            "uid": uid,
            "resourceVersion": "7",
            "managedFields": [{"manager": "kubectl"}],
            "labels": {"team": "support"},
            "annotations": {
                "arkenos.io/wake": "1",
                f"{PREFIX}/reconcile": '{"retries": 1}',
                "kubectl.kubernetes.io/last-applied-configuration": "{}",
            },
        },
        "spec": {"mode": "Standard", "instructions": "Help."},
        "status": {"observedGeneration": 1},
        **extra,
    }


def variants() -> list[Body]:
    """Objects whose essences differ in every way kopf's build treats: kubectl's and other
    kopf operators' annotations, empty and missing stanzas, top-level fields besides spec."""
    marked = agent("u-2")
    marked["metadata"]["annotations"] |= {
        "other.example/kopf-managed": "yes",
        "other.example/handler": "{}",
        "kopf.zalando.org/last-handled-configuration": "{}",
    }
    bare = agent("u-3")
    bare["metadata"] = {"name": "a-u-3", "namespace": "team-a", "uid": "u-3"}
    empty = agent("u-4")
    empty["metadata"] |= {"labels": {}, "annotations": {}}
    nested = agent("u-5", data={"key": "dmFsdWU="})
    nested["spec"] = {"mode": "Custom", "custom": {"env": [{"name": "A", "value": "1"}]}}
    return [agent("u-1"), marked, bare, empty, nested]


def test_the_essence_is_the_one_kopfs_annotation_storage_builds() -> None:
    ours, kopfs = MemoryDiffBaseStorage(PREFIX), kopf.AnnotationsDiffBaseStorage(prefix=PREFIX)
    progress = ProgressStorage(prefix=PREFIX)
    theirs = kopf.AnnotationsProgressStorage(prefix=PREFIX)
    fields_cases: list[list[tuple[str, ...]]] = [
        [],
        [("spec", "mode")],
        [("metadata", "annotations", "other.example/handler")],
        [("status", "phase")],
    ]
    for raw in variants():
        body = kopf.Body(raw)
        for fields in fields_cases:
            built = progress.clear(essence=ours.build(body=body, extra_fields=fields))
            assert built == theirs.clear(essence=kopfs.build(body=body, extra_fields=fields))
    built = progress.clear(essence=ours.build(body=kopf.Body(agent("u-1"))))
    assert built == {
        "metadata": {"labels": {"team": "support"}, "annotations": {"arkenos.io/wake": "1"}},
        "spec": {"mode": "Standard", "instructions": "Help."},
    }


def test_the_essence_shares_nothing_with_the_object_and_clearing_changes_no_input() -> None:
    """kopf stores the essence while the watch's object lives on, and clears the stored one at
    every event: copies where kopf made copies, so neither can change the other."""
    storage, progress = MemoryDiffBaseStorage(PREFIX), ProgressStorage(prefix=PREFIX)
    raw = variants()[-1]
    essence = storage.build(body=kopf.Body(raw))
    raw["spec"]["custom"]["env"][0]["value"] = "2"
    raw["metadata"]["labels"]["team"] = "sales"
    assert essence["spec"]["custom"]["env"][0]["value"] == "1"
    assert essence["metadata"]["labels"] == {"team": "support"}
    stored = json.dumps(essence, sort_keys=True)
    cleared = progress.clear(essence=essence)
    assert f"{PREFIX}/reconcile" not in cleared["metadata"]["annotations"]
    assert json.dumps(essence, sort_keys=True) == stored
    assert f"{PREFIX}/reconcile" in essence["metadata"]["annotations"]


def test_the_essence_is_kept_in_memory_by_uid_and_forgotten() -> None:
    storage = MemoryDiffBaseStorage(PREFIX)
    patch = kopf.Patch()
    bodies = [kopf.Body(agent(f"u-{i}")) for i in range(10_000)]
    for body in bodies:
        assert storage.fetch(body=body) is None
        storage.store(body=body, patch=patch, essence=storage.build(body=body))
    assert not patch  # nothing written to the objects
    assert len(storage) == 10_000
    assert storage.fetch(body=bodies[42]) == storage.build(body=bodies[42])
    changed = kopf.Body(agent("u-42", spec={"mode": "Standard", "instructions": "Sell."}))
    assert storage.fetch(body=changed) != storage.build(body=changed)
    for body in bodies:
        storage.forget(str(body.metadata.uid))
    assert len(storage) == 0


def progress_patch(body: Body, outcome: dict[str, Any], done: bool) -> kopf.Patch:
    """What the progress storage writes for one handler's outcome, purged when all are done
    (as kopf's handling cycle does)."""
    storage, kbody = ProgressStorage(prefix=PREFIX), kopf.Body(body)
    patch = kopf.Patch()
    storage.store(key=kopf.HandlerId("reconcile"), record=outcome, body=kbody, patch=patch)  # type: ignore[arg-type]
    if done:
        storage.purge(key=kopf.HandlerId("reconcile"), body=kbody, patch=patch)
    return patch


def test_a_handled_object_gets_no_marker_patch() -> None:
    body = agent("u-1")
    body["metadata"]["annotations"] = {}
    assert dict(progress_patch(body, {"success": True}, done=True)) == {}


def test_a_record_that_stays_carries_the_marker() -> None:
    body = agent("u-1")
    body["metadata"]["annotations"] = {}
    patch = progress_patch(body, {"retries": 1, "delayed": "2026-01-01T00:00:00"}, done=False)
    annotations = patch["metadata"]["annotations"]
    assert json.loads(annotations[f"{PREFIX}/reconcile"])["retries"] == 1
    assert annotations[f"{PREFIX}/kopf-managed"] == "yes"


def test_a_record_left_by_a_retry_is_removed_when_the_handler_succeeds() -> None:
    body = agent("u-1")  # carries a progress record from an earlier retry, no marker
    patch = progress_patch(body, {"success": True}, done=True)
    assert patch["metadata"]["annotations"] == {f"{PREFIX}/reconcile": None}
