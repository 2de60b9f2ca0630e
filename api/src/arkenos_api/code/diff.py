"""Unified diffs between two versions of a tree, per file."""

from __future__ import annotations

import difflib

from arkenos_api.code.models import Manifest
from arkenos_api.code.schemas import FileDiff
from arkenos_api.code.storage import CodeStore


async def diff_versions(store: CodeStore, old: Manifest, new: Manifest) -> list[FileDiff]:
    changed = sorted(
        path
        for path in old.keys() | new.keys()
        if (old.get(path) or {}).get("sha256") != (new.get(path) or {}).get("sha256")
    )
    digests = [m[p]["sha256"] for p in changed for m in (old, new) if p in m]
    blobs = await store.get_blobs(digests)

    def text(manifest: Manifest, path: str) -> list[str]:
        entry = manifest.get(path)
        return blobs[entry["sha256"]].decode("utf-8").splitlines(keepends=True) if entry else []

    diffs = []
    for path in changed:
        change = "Added" if path not in old else "Removed" if path not in new else "Modified"
        lines = difflib.unified_diff(
            text(old, path), text(new, path), fromfile=f"a/{path}", tofile=f"b/{path}"
        )
        diffs.append(FileDiff(path=path, change=change, diff="".join(lines)))
    return diffs
