"""Where kopf keeps what it knows about each object between events, chosen so that handling a
change costs no write of kopf's own.

kopf compares every event's object with the state it last handled (its "diff base") to tell a
change of the spec (handlers run) from an echo of a status write (nothing runs). Kept in an
annotation, that state costs a patch of the object after every handled change, and the patch
comes back as one more watch event that kopf processes in full. kopf's progress storage also
marks a new object once with a ``kopf-managed`` annotation, another patch and event, even when
nothing is left to record. For a new standard agent that was two requests and two events of
the five it took; now its status write is the only one.

- :class:`MemoryDiffBaseStorage` keeps the diff base in this process's memory, by object uid.
  What that gives up is the state across a restart or a hand-over to another replica: the
  new process sees every object as new and runs its creation handlers where it would run its
  resume handlers. The operator's handlers are one level-based reconcile for creation, update
  and resume, so both do the same. An object's entry goes with its DELETED event
  (:func:`register_forgetting`).
- :class:`ProgressStorage` keeps handlers' progress (retries, delays) in annotations as kopf's
  does, and writes the marker only when a record stays on the object. The marker tells kopf
  operators which annotations are kopf's; ours are told apart by their prefix
  (:meth:`kopf.AnnotationsProgressStorage.clear`) whether the marker is there or not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, cast

import kopf

#: The fields of an object's metadata that kopf's essence keeps; the rest is not copied.
ESSENTIAL_METADATA = ("labels", "annotations")
#: kopf's marker annotation (its name is fixed in kopf).
MARKER = "kopf-managed"
#: kubectl's copy of the applied manifest, which kopf leaves out of the essence.
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


class MemoryDiffBaseStorage(kopf.AnnotationsDiffBaseStorage):
    """kopf's annotation storage's idea of an object's essence, stored by uid in memory.

    The essence is built as the annotation storage builds it (``test_persistence`` compares
    the two), from a copy of only the parts it keeps: kopf deep-copies the whole object first
    (status and managed fields included) with ``copy.deepcopy``, which was most of the cost of
    building it. A handler that asks for fields outside those parts gets kopf's own build."""

    def __init__(self, prefix: str) -> None:
        super().__init__(prefix=prefix)
        self._essences: dict[str, kopf.BodyEssence] = {}

    def build(
        self, *, body: kopf.Body, extra_fields: Iterable[Any] | None = None
    ) -> kopf.BodyEssence:
        fields = list(extra_fields or ())
        if self.ignored_fields or any(_outside_slim_copy(field) for field in fields):
            return super().build(body=body, extra_fields=fields)
        raw = _raw(body)
        meta = raw.get("metadata") or {}
        if fields:
            # kopf puts these back after dropping annotations: its build, on the slim parts.
            slim = {k: v for k, v in raw.items() if k not in ("metadata", "status")}
            slim["metadata"] = {k: meta[k] for k in ESSENTIAL_METADATA if k in meta}
            return super().build(body=kopf.Body(cast(kopf.RawBody, slim)), extra_fields=fields)
        essence: dict[str, Any] = {
            key: copy_tree(value)
            for key, value in raw.items()
            if key not in ("apiVersion", "kind", "metadata", "status")
        }
        kept = {key: copy_tree(meta[key]) for key in ESSENTIAL_METADATA if key in meta}
        annotations = kept.get("annotations") or {}
        ignored = self._detect_marked_prefixes(annotations)
        for annotation in list(annotations):
            if annotation == LAST_APPLIED or any(annotation.startswith(f"{p}/") for p in ignored):
                del annotations[annotation]
        if kept:
            essence["metadata"] = kept
        self.remove_empty_stanzas(cast(kopf.BodyEssence, essence))
        return cast(kopf.BodyEssence, essence)

    def fetch(self, *, body: kopf.Body) -> kopf.BodyEssence | None:
        # The progress storage's clear() copies what it edits before kopf uses it.
        return self._essences.get(str(body.metadata.uid))

    def store(self, *, body: kopf.Body, patch: kopf.Patch, essence: kopf.BodyEssence) -> None:
        self._essences[str(body.metadata.uid)] = essence

    def forget(self, uid: str) -> None:
        self._essences.pop(uid, None)

    def __len__(self) -> int:
        return len(self._essences)


def copy_tree(value: Any) -> Any:
    """A copy of JSON-shaped data (dicts, lists, scalars), equal to ``copy.deepcopy``'s and
    several times faster: an object from the API has no shared or cyclic parts to remember."""
    if isinstance(value, dict):
        return {key: copy_tree(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_tree(item) for item in value]
    return value


def _raw(body: kopf.Body) -> Mapping[str, Any]:
    """The plain dict under kopf's body view (whose every key read resolves a field path),
    or the view itself if kopf stops keeping one."""
    raw = getattr(body, "_src", None)
    return raw if isinstance(raw, dict) else body


def _outside_slim_copy(field: Any) -> bool:
    """Whether a handler's field (a path tuple) lies where the slim copy has nothing."""
    path = tuple(field)
    if not path or path[0] == "status":
        return True
    return path[0] == "metadata" and (len(path) < 2 or path[1] not in ESSENTIAL_METADATA)


class ProgressStorage(kopf.AnnotationsProgressStorage):
    """kopf's annotation progress storage, without the marker it adds to a patch that, once
    the handlers' records are purged, has nothing else of ours to write."""

    def purge(self, *, key: Any, body: kopf.Body, patch: kopf.Patch) -> None:
        super().purge(key=key, body=body, patch=patch)
        annotations = (patch.get("metadata") or {}).get("annotations")
        if not annotations:
            return
        marker = f"{self.prefix}/{MARKER}"
        if marker not in annotations or marker in body.metadata.annotations:
            return
        kept = [
            k
            for k, v in annotations.items()
            if k != marker and k.startswith(f"{self.prefix}/") and v is not None
        ]
        if kept:
            return  # a record stays on the object: it needs the marker
        del annotations[marker]
        if not annotations:
            del patch["metadata"]["annotations"]
        if not patch["metadata"]:
            del patch["metadata"]

    def clear(self, *, essence: kopf.BodyEssence) -> kopf.BodyEssence:
        """The essence without this storage's annotations, as kopf's ``clear`` gives it, but
        copying only the levels it edits where kopf deep-copies the whole essence. What it
        clears is the essence built for the event and the one stored for the object (both
        copies the watch's objects do not share); kopf only reads them, and so do the
        operator's handlers, which get them as ``old`` and ``new``."""
        cleared = cast(dict[str, Any], dict(essence))
        meta = cleared.get("metadata")
        if isinstance(meta, dict):
            meta = cleared["metadata"] = dict(meta)
            if isinstance(meta.get("annotations"), dict):
                meta["annotations"] = dict(meta["annotations"])
        annotations = (meta or {}).get("annotations") or {}
        ours = {key for key in annotations if self.prefix and key.startswith(f"{self.prefix}/")}
        self.remove_annotations(cast(kopf.BodyEssence, cleared), ours)
        self.remove_empty_stanzas(cast(kopf.BodyEssence, cleared))
        return cast(kopf.BodyEssence, cleared)


def is_deleted(type: str, **_: Any) -> bool:
    """A ``when`` filter: the event says the object is gone."""
    return type == "DELETED"


def register_forgetting(
    registry: kopf.OperatorRegistry,
    resource: tuple[str, str, str],
    storage_of: Callable[[Any], MemoryDiffBaseStorage],
) -> None:
    """Drop the stored essence of each object of ``resource`` when its DELETED event arrives
    (``storage_of`` finds the storage in a handler's memo). A feature that has a handler of
    its own for that event forgets there instead."""

    @kopf.on.event(*resource, id="forget-handled", when=is_deleted, registry=registry)
    async def forget(uid: str, memo: Any, **_: Any) -> None:
        storage_of(memo).forget(uid)
