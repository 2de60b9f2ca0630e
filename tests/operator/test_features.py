"""The registry: core handlers plus every feature package's, each feature in one line."""

import sys
import types

import kopf
import pytest

from arkenos_operator.features import FEATURES, build_registry
from arkenos_operator.settings import OperatorSettings
from tests.operator.test_settings import REQUIRED


def test_features_plug_in_by_module_name(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[kopf.OperatorRegistry, OperatorSettings]] = []
    feature = types.ModuleType("fake_feature_handlers")
    feature.register = lambda registry, settings: calls.append((registry, settings))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_feature_handlers", feature)
    settings = OperatorSettings.from_env(REQUIRED)

    registry = build_registry(settings, features=(*FEATURES, "fake_feature_handlers"))

    assert calls == [(registry, settings)]
    activities = {h.id for h in registry._activities.get_all_handlers()}
    assert any(a.endswith("login") for a in activities)
    assert any(a.endswith("start") for a in activities)
    assert any(a.endswith("stop") for a in activities)
