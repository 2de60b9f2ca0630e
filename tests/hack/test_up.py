"""`make up` / `make down` (hack/up.sh, hack/down.sh) with stand-in docker, kind, helm and
kubectl on PATH: what the scripts ask each tool, in which order, and what they say when a
tool is missing. No Docker engine or kind runs here, so this is their logic, not a cluster."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.hack._standins import TOOLS, Call, StandIns

ROOT = Path(__file__).resolve().parents[2]


def run(script: str, standins: StandIns) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(ROOT / "hack" / script)],
        env=standins.env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        cwd=ROOT,
    )


def index_of(calls: list[Call], prefix: str) -> int:
    for number, call in enumerate(calls):
        if call.line.startswith(prefix):
            return number
    raise AssertionError(
        f"nothing started with {prefix!r} in:\n" + "\n".join(c.line for c in calls)
    )


def test_up_creates_builds_loads_installs_waits_and_forwards(tmp_path: Path) -> None:
    standins = StandIns.create(tmp_path)
    result = run("up.sh", standins)
    assert result.returncode == 0, result.stderr
    calls = standins.calls()
    steps = [
        "kind create cluster --name arkenos",
        "docker build --file images/api/Dockerfile --tag ghcr.io/arkenos/arkenos-api:dev",
        "docker build --file images/operator/Dockerfile",
        "docker build --file images/agent-runtime/Dockerfile",
        "kind load docker-image --name arkenos ghcr.io/arkenos/arkenos-api:dev",
        "kubectl apply --server-side --force-conflicts --filename charts/arkenos/crds/",
        "helm upgrade --install arkenos charts/arkenos --namespace arkenos-system",
        "kubectl --namespace arkenos-system wait deployment --all --for=condition=Available",
        "kubectl --namespace arkenos-system wait workerpool/standard --for=condition=Ready",
        "kubectl --namespace arkenos-system port-forward svc/arkenos-api 8000:8000",
    ]
    positions = [index_of(calls, step) for step in steps]
    assert positions == sorted(positions)
    helm = calls[index_of(calls, "helm upgrade")].args
    assert helm[helm.index("--values") + 1] == "charts/arkenos/values-quickstart.yaml"
    assert "--wait" in helm
    assert "image.tag=dev" in helm
    # Every image built is loaded into the cluster, and no image is pulled from anywhere.
    load = calls[index_of(calls, "kind load")].args
    built = [c.args[c.args.index("--tag") + 1] for c in calls if c.args[:1] == ["build"]]
    assert set(built) <= set(load)
    assert not any(c.tool == "docker" and c.args[:1] == ["pull"] for c in calls)
    assert "http://localhost:3000" in result.stdout
    assert "first account becomes the platform admin" in result.stdout


def test_up_reuses_an_existing_cluster(tmp_path: Path) -> None:
    standins = StandIns.create(tmp_path)
    standins.existing_cluster("arkenos")
    result = run("up.sh", standins)
    assert result.returncode == 0, result.stderr
    assert not any(c.line.startswith("kind create") for c in standins.calls())
    assert "reusing it" in result.stdout


@pytest.mark.parametrize("absent", TOOLS)
def test_up_names_each_missing_tool_and_how_to_get_it_and_changes_nothing(
    tmp_path: Path, absent: str
) -> None:
    standins = StandIns.create(tmp_path, present=tuple(t for t in TOOLS if t != absent))
    result = run("up.sh", standins)
    assert result.returncode == 1
    assert f"  - {absent}: " in result.stderr
    assert result.stderr.count("\n  - ") == 1, result.stderr
    assert "Nothing was changed" in result.stderr
    assert [c for c in standins.calls() if c.args[:1] != ["info"]] == []


def test_up_says_when_docker_is_installed_but_not_running(tmp_path: Path) -> None:
    standins = StandIns.create(tmp_path)
    standins.docker_down()
    result = run("up.sh", standins)
    assert result.returncode == 1
    assert "docker is installed but 'docker info' fails" in result.stderr


def test_up_stops_at_a_failed_image_build(tmp_path: Path) -> None:
    standins = StandIns.create(tmp_path)
    standins.fail("docker", "build")
    result = run("up.sh", standins)
    assert result.returncode != 0
    assert not any(c.tool == "helm" for c in standins.calls())


def test_down_deletes_the_cluster_and_is_quiet_when_there_is_none(tmp_path: Path) -> None:
    standins = StandIns.create(tmp_path)
    standins.existing_cluster("arkenos")
    result = run("down.sh", standins)
    assert result.returncode == 0, result.stderr
    assert [c.line for c in standins.calls()][-1] == "kind delete cluster --name arkenos"
    again = run("down.sh", standins)
    assert again.returncode == 0
    assert "nothing to delete" in again.stdout
