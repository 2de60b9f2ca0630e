"""Contradictory or incomplete values stop `helm template` (and so `helm install`) with a
message that says which values to change."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chart._support import RenderError, ValuesSet, render

QUICKSTART = ValuesSet("quickstart", ("values-quickstart.yaml",))


@pytest.mark.parametrize(
    ("values", "set_values", "message"),
    [
        (
            None,
            ["postgresql.bundled.enabled=true"],
            "postgresql: both the bundled database",
        ),
        (None, ["postgresql.external.existingSecret="], "postgresql: no database"),
        (None, ["objectStorage.bundled.enabled=true"], "objectStorage: both the bundled S3"),
        (None, ["objectStorage.external.existingSecret="], "objectStorage: no object storage"),
        (None, ["livekit.bundled.enabled=true"], "livekit: both the bundled livekit-server"),
        (None, ["livekit.external.existingSecret="], "livekit: no LiveKit"),
        (None, ["livekit.bundled.sip.enabled=true"], "needs livekit.bundled.enabled"),
        (None, ["ingress.enabled=true"], "ingress.enabled needs ingress.host"),
        (None, ["ingress.tls.enabled=true"], "ingress.tls.enabled needs ingress.enabled"),
        (
            None,
            ["ingress.enabled=true", "ingress.host=a.example.com", "ingress.tls.enabled=true"],
            "needs ingress.tls.secretName",
        ),
        (
            None,
            ["workerPool.replicas.min=5", "workerPool.replicas.max=2"],
            "workerPool.replicas.min (5) must not exceed workerPool.replicas.max (2)",
        ),
        (
            None,
            ["monitoring.prometheusRule.enabled=true"],
            "needs monitoring.serviceMonitor.enabled",
        ),
        (
            QUICKSTART,
            ["postgresql.external.existingSecret=my-db"],
            "postgresql: both the bundled database",
        ),
    ],
)
def test_contradictions_fail_with_a_message(
    helm: Path, values: ValuesSet | None, set_values: list[str], message: str
) -> None:
    with pytest.raises(RenderError) as error:
        render(helm, values, set_values=set_values)
    assert message in str(error.value)


def test_the_same_values_without_the_contradiction_render(helm: Path) -> None:
    manifests = render(
        helm, set_values=["postgresql.bundled.enabled=true", "postgresql.external.existingSecret="]
    )
    assert any(m["kind"] == "StatefulSet" for m in manifests)
