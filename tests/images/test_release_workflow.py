"""The release workflow builds every image there is a Dockerfile for, on version tags only,
from digest-resolved bases, and packages the chart it tested. (It cannot run here.)"""

from __future__ import annotations

from typing import Any

import yaml

from tests.images._dockerfiles import IMAGES, ROOT


def _workflow() -> dict[str, Any]:
    workflow: dict[str, Any] = yaml.safe_load((ROOT / ".github/workflows/release.yaml").read_text())
    return workflow


def test_runs_on_version_tags_only() -> None:
    # PyYAML reads the key `on` as True.
    trigger = _workflow()[True]
    assert trigger == {"push": {"tags": ["v*.*.*"]}}


def test_builds_every_image() -> None:
    matrix = _workflow()["jobs"]["images"]["strategy"]["matrix"]["image"]
    assert sorted(matrix) == sorted(p.parent.name for p in IMAGES.glob("*/Dockerfile"))


def test_builds_from_resolved_digests_and_labels_the_image() -> None:
    steps = _workflow()["jobs"]["images"]["steps"]
    text = yaml.safe_dump(steps)
    assert "hack/pin-images.sh --build-args" in text
    build = next(s for s in steps if s.get("id") == "build")
    for arg in ("VERSION=", "REVISION=", "CREATED=", "SOURCE="):
        assert arg in build["with"]["build-args"]


def test_packages_the_chart_after_testing_it_with_the_tag_version() -> None:
    chart = _workflow()["jobs"]["chart"]
    assert chart["needs"] == "images"
    runs = [s.get("run", "") for s in chart["steps"]]
    test_step = next(i for i, r in enumerate(runs) if "pytest tests/chart" in r)
    package_step = next(i for i, r in enumerate(runs) if "helm package" in r)
    assert test_step < package_step
    assert '--version "$version"' in runs[package_step]
