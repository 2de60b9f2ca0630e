"""The provider table is what the schema admits: per stage, the CRD's enum is exactly the
table's providers, the model refuses any other, and each provider's key is known."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from arkenos_crds.providers import STAGE_PROVIDERS, ModelProvider, Stage
from arkenos_crds.runtime import KEY_OF, PROVIDER_SECRET_KEYS
from arkenos_crds.voiceagent import VoiceAgentSpec

CRD = Path(__file__).parents[3] / "crds" / "voiceagents.arkenos.io.yaml"


def _spec_schema() -> dict[str, Any]:
    crd = yaml.safe_load(CRD.read_text())
    schema: dict[str, Any] = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema["properties"]["spec"]["properties"]


@pytest.mark.parametrize("stage", list(Stage))
def test_the_crd_admits_exactly_the_tables_providers(stage: Stage) -> None:
    provider = _spec_schema()[stage.lower()]["properties"]["provider"]
    assert provider["enum"] == [str(p) for p in STAGE_PROVIDERS[stage]]
    assert provider["default"] == STAGE_PROVIDERS[stage][0]


@pytest.mark.parametrize(
    ("stage", "provider"),
    [(s, p) for s in Stage for p in ModelProvider if p not in STAGE_PROVIDERS[s]],
)
def test_the_model_refuses_a_provider_the_stage_does_not_support(
    stage: Stage, provider: ModelProvider
) -> None:
    with pytest.raises(ValidationError, match="Input should be"):
        VoiceAgentSpec.model_validate({stage.lower(): {"provider": str(provider)}})


def test_every_admitted_provider_names_the_key_it_needs() -> None:
    admitted = {p for providers in STAGE_PROVIDERS.values() for p in providers}
    assert admitted <= KEY_OF.keys()
    assert {KEY_OF[p] for p in admitted} <= PROVIDER_SECRET_KEYS.keys()
