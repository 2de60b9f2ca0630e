"""NOTES.txt says what to do next: the dashboard's URL (or the port-forward to reach it), that
the first account becomes the platform admin, and how to apply an agent. helm prints NOTES
only on install, which needs a cluster; the test renders it as a template of a copy of the
chart instead."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.chart._support import CHART, HELM_KUBE_VERSION, NAMESPACE, RELEASE


def render_notes(helm: Path, tmp_path: Path, *set_values: str) -> str:
    chart = tmp_path / "arkenos"
    shutil.copytree(CHART, chart)
    notes = chart / "templates/NOTES.txt"
    (chart / "templates/_notes.tpl").write_text(
        '{{- define "test.notes" -}}\n' + notes.read_text() + "\n{{- end -}}\n"
    )
    notes.unlink()
    (chart / "templates/notes-configmap.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: notes}\ndata:\n  notes: |\n"
        '{{ include "test.notes" . | indent 4 }}\n'
    )
    args = [str(helm), "template", RELEASE, str(chart), "--namespace", NAMESPACE]
    args += ["--kube-version", HELM_KUBE_VERSION, "--show-only", "templates/notes-configmap.yaml"]
    for item in set_values:
        args += ["--set", item]
    result = subprocess.run(args, capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    text: str = yaml.safe_load(result.stdout)["data"]["notes"]
    return text


def test_without_ingress_notes_give_the_port_forwards_and_the_first_steps(
    helm: Path, tmp_path: Path
) -> None:
    notes = render_notes(helm, tmp_path)
    assert "port-forward svc/arkenos-dashboard 3000:3000" in notes
    assert "port-forward svc/arkenos-api 8000:8000" in notes
    assert "open http://localhost:3000" in notes
    assert "first account created becomes the platform admin" in notes
    assert "kubectl apply -n team-a -f examples/agents/standard-receptionist.yaml" in notes
    assert "Secret arkenos-master-keys" in notes


@pytest.mark.parametrize(("tls", "scheme"), [("true", "https"), ("false", "http")])
def test_with_ingress_notes_give_its_url(helm: Path, tmp_path: Path, tls: str, scheme: str) -> None:
    notes = render_notes(
        helm,
        tmp_path,
        "ingress.enabled=true",
        "ingress.host=voice.example.com",
        f"ingress.tls.enabled={tls}",
        "ingress.tls.secretName=arkenos-tls",
    )
    assert f"{scheme}://voice.example.com" in notes
    assert "port-forward" not in notes


def test_with_an_existing_master_key_secret_notes_do_not_claim_one_was_generated(
    helm: Path, tmp_path: Path
) -> None:
    notes = render_notes(helm, tmp_path, "api.masterKeys.existingSecret=my-keys")
    assert "generated" not in notes
