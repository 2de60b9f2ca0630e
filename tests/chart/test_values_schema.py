"""values.schema.json is strict: helm refuses unknown keys and bad values with a message that
names the value, and every value in values.yaml is described by the schema and commented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.chart._support import CHART, RenderError, render, values_schema


@pytest.mark.parametrize(
    "bad_value",
    [
        "operator.replica=2",
        "api.environment=staging",
        "image.pullPolicy=Sometimes",
        "workerPool.sessionsPerReplica=0",
        "operator.image.digest=latest",
        "ingress.host=Not A Host",
        "postgresql.external.existingSecret=Bad_Name",
        "livekit.phoneNumbers.twilioSecret=no-namespace",
        "monitoring.prometheusRule.failedCallRatio=2",
        "unknownTopLevel=true",
    ],
)
def test_bad_values_are_refused_with_a_message_naming_them(helm: Path, bad_value: str) -> None:
    with pytest.raises(RenderError, match="values don't meet the specifications") as error:
        render(helm, set_values=[bad_value])
    key = bad_value.split("=", 1)[0]
    message = str(error.value)
    # helm names the value: helm 3.17 as api.environment, 3.18+ as /api/environment; an
    # unknown key is named by its own name under its parent's path.
    parent, _, leaf = key.rpartition(".")
    assert leaf in message
    assert parent in message or "/" + parent.replace(".", "/") in message


def test_values_yaml_matches_the_schema() -> None:
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    jsonschema.Draft7Validator(values_schema()).validate(values)


def _objects_are_closed(schema: dict[str, Any], path: str) -> list[str]:
    """Paths of object schemas with declared properties that still allow unknown keys."""
    open_paths = []
    if schema.get("type") == "object" and "properties" in schema:
        if schema.get("additionalProperties") is not False:
            open_paths.append(path)
        for name, child in schema["properties"].items():
            open_paths += _objects_are_closed(child, f"{path}.{name}")
    return open_paths


def test_every_object_in_the_schema_refuses_unknown_keys() -> None:
    assert _objects_are_closed(values_schema(), "") == []


def test_every_value_is_commented() -> None:
    """Each key in values.yaml has a comment on the line right above it; requests and limits
    are described by the comment on their `resources`, label entries by their `labels`."""
    lines = (CHART / "values.yaml").read_text().splitlines()
    uncommented = []
    for number, line in enumerate(lines):
        key = line.strip()
        if not key or key.startswith(("#", "- ")) or ":" not in key:
            continue
        if key.startswith(("requests:", "limits:", "grafana_dashboard:")):
            continue
        if not lines[number - 1].strip().startswith("#"):
            uncommented.append(f"line {number + 1}: {key}")
    assert uncommented == []
