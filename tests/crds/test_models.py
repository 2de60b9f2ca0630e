"""Behaviour of the resource model's helpers: conditions, dispatch names, provider needs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from arkenos_crds.meta import ConditionStatus, find_condition, new_condition, set_condition
from arkenos_crds.runtime import Provider, providers_for
from arkenos_crds.voiceagent import (
    STANDARD_DISPATCH_NAME,
    AgentMode,
    VoiceAgentSpec,
    dispatch_name_for,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_condition_keeps_transition_time_while_status_is_unchanged() -> None:
    first = new_condition("Ready", "False", "SecretMissing", "no secret", 1, now=T0)
    conditions = set_condition([], first)
    later = new_condition("Ready", "False", "SecretMissingKey", "no key", 2, now=T0 + timedelta(1))
    conditions = set_condition(conditions, later)
    (ready,) = conditions
    assert ready.reason == "SecretMissingKey"
    assert ready.observed_generation == 2
    assert ready.last_transition_time == T0

    flipped = new_condition("Ready", "True", "Ready", "", 2, now=T0 + timedelta(2))
    conditions = set_condition(conditions, flipped)
    ready = find_condition(conditions, "Ready")
    assert ready is not None
    assert ready.status == ConditionStatus.TRUE
    assert ready.last_transition_time == T0 + timedelta(2)


def test_conditions_of_other_types_are_kept_in_order() -> None:
    built = new_condition("Built", "Unknown", "Building", now=T0)
    ready = new_condition("Ready", "False", "NotBuilt", now=T0)
    conditions = set_condition(set_condition([], built), ready)
    conditions = set_condition(conditions, new_condition("Built", "True", "Built", now=T0))
    assert [(c.type, c.status) for c in conditions] == [("Built", "True"), ("Ready", "False")]


def test_dispatch_names() -> None:
    assert dispatch_name_for("acme", "receptionist", AgentMode.STANDARD) == STANDARD_DISPATCH_NAME
    custom_a = dispatch_name_for("acme", "bot", AgentMode.CUSTOM)
    custom_b = dispatch_name_for("globex", "bot", AgentMode.CUSTOM)
    assert custom_a != custom_b
    assert custom_a.endswith("acme-bot")


def test_providers_follow_the_pipeline() -> None:
    spec = VoiceAgentSpec.model_validate({"tts": {"provider": "Cartesia"}})
    assert providers_for(spec) == ({Provider.OPENAI, Provider.CARTESIA}, set())


def test_self_hosted_components_make_keys_optional() -> None:
    spec = VoiceAgentSpec.model_validate(
        {"llm": {"baseURL": "http://vllm.models:8000/v1"}, "stt": {"baseURL": "http://stt:80/v1"}}
    )
    required, optional = providers_for(spec)
    assert required == {Provider.OPENAI}  # TTS still uses OpenAI's own service
    assert optional == set()
    spec = spec.model_copy(update={"tts": spec.tts.model_copy(update={"base_url": "http://t/v1"})})
    assert providers_for(spec) == (set(), {Provider.OPENAI})


def test_wire_form_is_camel_case_without_unset_fields() -> None:
    spec = VoiceAgentSpec.model_validate({"llm": {"baseURL": "http://m/v1", "model": "x"}})
    wire = spec.to_wire()
    assert wire["llm"]["baseURL"] == "http://m/v1"
    assert "custom" not in wire
    assert wire["turnDetection"]["vad"]["minSilenceMs"] == 550
