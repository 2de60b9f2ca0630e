#!/usr/bin/env python3
"""Copy the chart's shared sources into charts/arkenos: the CRDs (crds/*.yaml, generated from
the resource model), kopf's peering CRDs and the operator's RBAC (operator/deploy/). Helm can
read files only from inside the chart, so these are copies; `--check` fails when one is stale
(tests/chart/test_sync.py runs it)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHART = ROOT / "charts" / "arkenos"


def peering_crds() -> str:
    """The CustomResourceDefinition documents of operator/deploy/peering.yaml, verbatim."""
    documents = (ROOT / "operator/deploy/peering.yaml").read_text().split("\n---\n")
    crds = [doc for doc in documents if "kind: CustomResourceDefinition" in doc]
    return "\n---\n".join(crds).rstrip("\n") + "\n"


def expected_files() -> dict[Path, str]:
    files = {CHART / "crds" / p.name: p.read_text() for p in sorted((ROOT / "crds").glob("*.yaml"))}
    files[CHART / "crds" / "kopfpeerings.kopf.dev.yaml"] = peering_crds()
    files[CHART / "files" / "operator-rbac.yaml"] = (ROOT / "operator/deploy/rbac.yaml").read_text()
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when a copy is stale")
    args = parser.parse_args(argv)
    expected = expected_files()
    stale = [p for p, text in expected.items() if not p.is_file() or p.read_text() != text]
    extra = sorted(set((CHART / "crds").glob("*.yaml")) - set(expected))
    if args.check:
        for path in [*stale, *extra]:
            print(f"stale: {path.relative_to(ROOT)} (run make chart-sync)", file=sys.stderr)
        return 1 if stale or extra else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(expected[path])
        print(f"wrote {path.relative_to(ROOT)}")
    for path in extra:
        path.unlink()
        print(f"removed {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
