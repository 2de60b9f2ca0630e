"""The CRDs on a real API server: every example is accepted by server-side apply, and every bad
manifest the offline validators refuse (``tests/crds/manifests.py``) is refused by the server
itself, naming the field: the CEL rules run in the API server, not only in Python."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from arkenos_devstack.controlplane import ControlPlane
from tests.crds.manifests import BAD, DOCUMENTS, EXAMPLES, adopt, mutate

pytestmark = pytest.mark.realk8s
PLATFORM_NAMESPACE = "arkenos-system"


@pytest.fixture(scope="module")
def workspace(control_plane: ControlPlane) -> Iterator[str]:
    """A workspace namespace for this module, as the README's quickstart has (``acme``)."""
    name = "acme-validation"
    control_plane.kubectl("create", "namespace", name)
    yield name
    control_plane.kubectl("delete", "namespace", name, "--wait=false")


def _apply(
    plane: ControlPlane, namespace: str, doc: dict[str, Any]
) -> subprocess.CompletedProcess[str]:
    return plane.kubectl(
        "apply", "--server-side", "--field-manager=arkenos-tests", f"--namespace={namespace}",
        "-f", "-", input=json.dumps(doc), check=False,
    )  # fmt: skip


def _get(plane: ControlPlane, namespace: str, doc: dict[str, Any]) -> dict[str, Any] | None:
    kind = doc["kind"].lower() + ".arkenos.io"
    found = plane.kubectl(
        "get", kind, doc["metadata"]["name"], f"--namespace={namespace}", "-o", "json",
        "--ignore-not-found",
    )  # fmt: skip
    return json.loads(found.stdout) if found.stdout.strip() else None


def test_every_example_is_applied_server_side(control_plane: ControlPlane, workspace: str) -> None:
    control_plane.kubectl("create", "namespace", PLATFORM_NAMESPACE, check=False)
    for folder in ("agents", "phone-numbers"):
        control_plane.kubectl(
            "apply", "--server-side", f"--namespace={workspace}", "-f", str(EXAMPLES / folder)
        )
    # The pool lives in the platform's namespace (one per installation).
    control_plane.kubectl(
        "apply", "--server-side", f"--namespace={PLATFORM_NAMESPACE}",
        "-f", str(EXAMPLES / "pool"),
    )  # fmt: skip

    listed = control_plane.kubectl("get", "voice", f"--namespace={workspace}", "-o", "name")
    expected = {
        f"{doc['kind'].lower()}.arkenos.io/{doc['metadata']['name']}"
        for _, doc in DOCUMENTS
        if doc["apiVersion"].startswith("arkenos.io/") and doc["kind"] != "WorkerPool"
    }
    # The `voice` category lists them all.
    assert set(listed.stdout.split()) == expected, (listed.stdout, expected)
    try:
        pool = control_plane.kubectl(
            "get", "workerpool", "standard", f"--namespace={PLATFORM_NAMESPACE}", "-o", "json"
        )
        assert json.loads(pool.stdout)["spec"]["sessionsPerReplica"] == 25
    finally:
        # The platform namespace is shared with the operator's tests, which apply their own pool.
        control_plane.kubectl(
            "delete", "workerpool", "standard", f"--namespace={PLATFORM_NAMESPACE}",
            "--ignore-not-found",
        )  # fmt: skip


def test_the_server_applies_the_schema_defaults(
    control_plane: ControlPlane, workspace: str
) -> None:
    bare = {
        "apiVersion": "arkenos.io/v1alpha1",
        "kind": "VoiceAgent",
        "metadata": {"name": "bare-defaults"},
        "spec": {},
    }
    applied = _apply(control_plane, workspace, bare)
    assert applied.returncode == 0, applied.stderr
    stored = _get(control_plane, workspace, bare)
    assert stored is not None
    assert stored["spec"]["mode"] == "Standard"
    # Only fields with a default in the CRD are filled by the server; nested objects such as
    # turnDetection are left to the model (arkenos_crds) that every reader parses with.
    assert "turnDetection" not in stored["spec"]


@pytest.mark.parametrize(
    ("make", "path", "value", "field"),
    [case[1:5] for case in BAD],
    ids=[case[0] for case in BAD],
)
def test_bad_manifest_is_refused_by_the_server_naming_the_field(
    control_plane: ControlPlane, workspace: str, make: Any, path: str, value: Any, field: str
) -> None:
    doc = mutate(make(), path, value)
    doc["metadata"]["name"] = "refused-" + doc["metadata"]["name"]

    refused = _apply(control_plane, workspace, doc)

    assert refused.returncode != 0, "the API server accepted a manifest the CRD forbids"
    assert "is invalid" in refused.stderr, refused.stderr
    assert field in refused.stderr, refused.stderr
    assert _get(control_plane, workspace, doc) is None  # nothing stored


def test_the_server_keeps_a_phone_number_immutable(
    control_plane: ControlPlane, workspace: str
) -> None:
    line = adopt()
    line["metadata"]["name"] = "immutable-line"
    assert _apply(control_plane, workspace, line).returncode == 0

    changed = _apply(control_plane, workspace, mutate(line, "spec.number", "+14155550199"))

    assert changed.returncode != 0
    assert "spec.number" in changed.stderr, changed.stderr
    assert "immutable" in changed.stderr, changed.stderr
    stored = _get(control_plane, workspace, line)
    assert stored is not None
    assert stored["spec"]["number"] == adopt()["spec"]["number"]
