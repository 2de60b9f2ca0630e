"""The Dockerfiles build what the chart and the operator run: entry points that are the
package's console scripts, installed from the lockfile, a fixed non-root user, OCI labels,
tag-pinned bases and no compilers in the runtime stage. (No Docker engine here: nothing is
built; these read the files.)"""

from __future__ import annotations

import re

import pytest
import yaml

from tests.images._dockerfiles import (
    ALL_IMAGES,
    PYTHON_MEMBERS,
    ROOT,
    Dockerfile,
    console_scripts,
    package_name,
)

COMPILERS = re.compile(r"\b(gcc|g\+\+|clang|build-essential|make|cc|rustc|cargo)\b")
PINNED_REF = re.compile(r"^[a-z0-9./-]+/[a-z0-9._/-]+:[A-Za-z0-9._-]+(@sha256:[a-f0-9]{64})?$")


@pytest.mark.parametrize("image", PYTHON_MEMBERS)
def test_entry_point_is_a_console_script_of_the_package(image: str) -> None:
    dockerfile = Dockerfile.load(image)
    (entry,) = dockerfile.exec_form("ENTRYPOINT")[:1]
    assert entry in console_scripts(PYTHON_MEMBERS[image])


@pytest.mark.parametrize("image", PYTHON_MEMBERS)
def test_installs_exactly_its_member_from_the_lockfile(image: str) -> None:
    runs = Dockerfile.load(image).everywhere("RUN")
    package = package_name(PYTHON_MEMBERS[image])
    syncs = [flags for run in runs for flags in re.findall(r"uv sync ([^&;]*)", run)]
    assert len(syncs) == 2, syncs
    for flags in syncs:
        assert "--frozen" in flags
        assert "--no-dev" in flags
        assert f"--package {package}" in flags
    assert "--no-editable" in syncs[-1]


def test_the_commands_the_chart_and_the_operator_run_exist_in_their_images() -> None:
    runtime = console_scripts("agent-runtime")
    # The operator's pods: the pool, custom agents' runner and their build and fetch steps.
    assert {"arkenos-worker", "arkenos-custom-runner", "arkenos-build"} <= runtime
    chart_commands = set()
    for template in sorted((ROOT / "charts/arkenos/templates").glob("*-deployment.yaml")):
        chart_commands |= set(re.findall(r"command: \[(arkenos-[a-z-]+)", template.read_text()))
    assert chart_commands, "the chart runs no arkenos command?"
    assert chart_commands <= console_scripts("api") | console_scripts("operator") | runtime


@pytest.mark.parametrize("image", ALL_IMAGES)
def test_runs_as_a_fixed_non_root_user(image: str) -> None:
    (user,) = Dockerfile.load(image).final("USER")
    assert user == "10001:10001"
    # The chart's pod security context runs the same UID.
    helpers = (ROOT / "charts/arkenos/templates/_helpers.tpl").read_text()
    pod_context = helpers.split('define "arkenos.podSecurityContext" -}}')[1].split("{{- end")[0]
    assert yaml.safe_load(pod_context)["runAsUser"] == 10001


@pytest.mark.parametrize("image", ALL_IMAGES)
def test_has_the_oci_labels(image: str) -> None:
    labels = Dockerfile.load(image).labels()
    for key in ("title", "description", "source", "licenses", "version", "revision", "created"):
        assert f"org.opencontainers.image.{key}" in labels, key
    assert labels["org.opencontainers.image.title"] == f"arkenos-{image}"
    assert labels["org.opencontainers.image.licenses"] == "Apache-2.0"


@pytest.mark.parametrize("image", ALL_IMAGES)
def test_bases_are_pinned_by_tag_and_named_through_args(image: str) -> None:
    dockerfile = Dockerfile.load(image)
    bases = dockerfile.global_args()
    assert bases, "base images are ARGs before the first FROM (hack/pin-images.sh rewrites them)"
    for name, ref in bases.items():
        assert PINNED_REF.match(ref), f"{name}={ref} is not registry/repo:tag[@sha256:...]"
        assert not ref.split("@")[0].endswith(":latest"), f"{name} floats on latest"
    for base in dockerfile.everywhere("FROM"):
        reference = base.split()[0]
        assert reference.startswith("${") or reference in {"deps"}, f"FROM {base} bypasses the ARGs"


@pytest.mark.parametrize("image", ALL_IMAGES)
def test_runtime_stage_installs_no_compiler_and_keeps_no_build_tool(image: str) -> None:
    dockerfile = Dockerfile.load(image)
    for run in dockerfile.final("RUN"):
        assert not COMPILERS.search(run), run
        assert "apt-get install" not in run, run
    copies = dockerfile.final("COPY")
    assert all("/uv" not in c.split()[1:2] for c in copies), copies
    # The runtime stage starts from a base image, not from the build stage.
    (final_from,) = [i["value"] for i in dockerfile.final_stage()[:1]]
    assert final_from.startswith("${"), final_from


@pytest.mark.parametrize("image", PYTHON_MEMBERS)
def test_copies_only_paths_that_exist(image: str) -> None:
    for copy in Dockerfile.load(image).everywhere("COPY"):
        if copy.startswith("--from"):
            continue
        for source in copy.split()[:-1]:
            assert (ROOT / source).exists(), f"COPY {source}: no such path"


def test_dashboard_builds_the_standalone_server() -> None:
    dockerfile = Dockerfile.load("dashboard")
    assert dockerfile.exec_form("ENTRYPOINT") == ["node", "server.js"]
    assert any(".next/standalone" in c for c in dockerfile.final("COPY"))
    configs = sorted((ROOT / "frontend").glob("next.config.*"))
    assert configs, "frontend/ has no next.config"
    assert any("standalone" in c.read_text() for c in configs), (
        "frontend/next.config.* must set output: 'standalone' for images/dashboard"
    )
