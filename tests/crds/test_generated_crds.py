"""The committed CRD YAML is what the models generate, and it is a schema the API server takes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from arkenos_crds.crd import ALL_RESOURCES, ResourceDefinition
from arkenos_crds.generate import file_name, main, render

CRDS_DIR = Path(__file__).resolve().parents[2] / "crds"


@pytest.mark.parametrize("resource", ALL_RESOURCES, ids=lambda r: r.kind)
def test_committed_crd_matches_the_models(resource: ResourceDefinition) -> None:
    committed = (CRDS_DIR / file_name(resource)).read_text()
    assert committed == render(resource), "run `make crds` and commit the result"


def test_check_mode_reports_a_stale_file(tmp_path: Path) -> None:
    assert main([str(tmp_path)]) == 0
    assert main([str(tmp_path), "--check"]) == 0
    stale = tmp_path / file_name(ALL_RESOURCES[0])
    stale.write_text(stale.read_text().replace("Standard", "Basic"))
    assert main([str(tmp_path), "--check"]) == 1


def _walk(node: dict[str, Any], path: str) -> list[tuple[str, dict[str, Any]]]:
    nodes = [(path, node)]
    for name, child in node.get("properties", {}).items():
        nodes += _walk(child, f"{path}.{name}")
    if isinstance(node.get("items"), dict):
        nodes += _walk(node["items"], f"{path}[]")
    if isinstance(node.get("additionalProperties"), dict):
        nodes += _walk(node["additionalProperties"], f"{path}{{}}")
    return nodes


@pytest.mark.parametrize("resource", ALL_RESOURCES, ids=lambda r: r.kind)
def test_schema_is_structural_and_fully_described(resource: ResourceDefinition) -> None:
    schema = resource.open_api_schema()
    for path, node in _walk(schema, resource.kind):
        forbidden = {"$ref", "anyOf", "allOf", "oneOf", "title", "$defs", "const"} & node.keys()
        assert not forbidden, f"{path} is not structural: {forbidden}"
        assert node.get("additionalProperties") is not False, path
        assert "type" in node or node.get("x-kubernetes-preserve-unknown-fields"), (
            f"{path} has no type"
        )
        # The root's metadata is the API server's own: it refuses any description there.
        exempt = {resource.kind, f"{resource.kind}.metadata"}
        if path not in exempt and not path.endswith("[]") and not path.endswith("{}"):
            assert node.get("description"), f"{path} has no description (kubectl explain)"
        if path == f"{resource.kind}.metadata":
            assert node == {"type": "object"}, "a real API server refuses more on metadata"


@pytest.mark.parametrize("resource", ALL_RESOURCES, ids=lambda r: r.kind)
def test_list_map_keys_are_required_fields(resource: ResourceDefinition) -> None:
    for path, node in _walk(resource.open_api_schema(), resource.kind):
        keys = node.get("x-kubernetes-list-map-keys")
        if keys:
            required = node["items"].get("required", [])
            assert set(keys) <= set(required), f"{path}: list-map keys must be required"


def test_crds_read_like_cert_managers() -> None:
    by_kind = {r.kind: r.to_crd() for r in ALL_RESOURCES}
    for kind, crd in by_kind.items():
        spec = crd["spec"]
        assert spec["group"] == "arkenos.io"
        assert spec["scope"] == "Namespaced"
        assert spec["names"]["categories"] == ["voice"], kind
        version = spec["versions"][0]
        assert version["name"] == "v1alpha1"
        assert version["subresources"] == {"status": {}}
        columns = {c["name"]: c for c in version["additionalPrinterColumns"]}
        assert columns["Ready"]["jsonPath"] == '.status.conditions[?(@.type=="Ready")].status'
        assert columns["Age"]["type"] == "date"
    assert by_kind["VoiceAgent"]["spec"]["names"]["shortNames"] == ["va"]
    assert by_kind["PhoneNumber"]["spec"]["names"]["shortNames"] == ["pn"]
    assert by_kind["WorkerPool"]["spec"]["names"]["shortNames"] == ["wp"]
    agent_columns = _column_names(by_kind["VoiceAgent"])
    assert {"Ready", "Mode", "Age"} <= agent_columns
    assert {"Number", "Agent", "Ready", "Age"} <= _column_names(by_kind["PhoneNumber"])


def _column_names(crd: dict[str, Any]) -> set[str]:
    return {c["name"] for c in crd["spec"]["versions"][0]["additionalPrinterColumns"]}


def test_cel_rules_reach_the_schema() -> None:
    text = yaml.safe_dump(ALL_RESOURCES[1].to_crd())
    assert "oldSelf.number" in text
    assert "has(self.number) != has(self.purchase)" in text
