"""Unit tests for the emulated API's label and field selectors, and its JSON merge patch."""

from typing import Any

import pytest

from tests.substrate.k8s_objects import merge_patch
from tests.substrate.k8s_selectors import SelectorError, build_selector


def labelled(**labels: str) -> dict[str, Any]:
    return {"metadata": {"name": "agent", "namespace": "team-a", "labels": labels}}


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ("", {}, True),
        ("tier=gold", {"tier": "gold"}, True),
        ("tier==gold", {"tier": "free"}, False),
        ("tier!=gold", {}, True),
        ("tier!=gold", {"tier": "gold"}, False),
        ("tier in (gold, free)", {"tier": "free"}, True),
        ("tier notin (gold,free)", {"tier": "free"}, False),
        ("tier notin (gold,free)", {}, True),
        ("tier", {"tier": ""}, True),
        ("!tier", {"tier": ""}, False),
        ("app=arkenos,tier in (gold)", {"app": "arkenos", "tier": "gold"}, True),
        ("app=arkenos,tier in (gold)", {"app": "arkenos", "tier": "free"}, False),
        ("arkenos.io/agent=support", {"arkenos.io/agent": "support"}, True),
    ],
)
def test_label_selectors(selector: str, labels: dict[str, str], expected: bool) -> None:
    assert build_selector(label_selector=selector)(labelled(**labels)) is expected


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("metadata.name=agent", True),
        ("metadata.name!=agent", False),
        ("metadata.namespace==team-a,metadata.name=agent", True),
        ("status.phase=Running", False),
        ("status.phase!=Running", True),
    ],
)
def test_field_selectors(selector: str, expected: bool) -> None:
    assert build_selector(field_selector=selector)(labelled()) is expected


@pytest.mark.parametrize("selector", ["tier in (gold", "tier in gold)", "tier in"])
def test_malformed_label_selectors_are_rejected(selector: str) -> None:
    with pytest.raises(SelectorError):
        build_selector(label_selector=selector)


def test_field_selectors_need_an_operator() -> None:
    with pytest.raises(SelectorError):
        build_selector(field_selector="metadata.name")


def test_merge_patch_follows_rfc_7386() -> None:
    target: dict[str, Any] = {"spec": {"a": 1, "b": {"c": 2}, "list": [1, 2]}, "keep": True}
    patch = {"spec": {"a": None, "b": {"d": 3}, "list": [3]}, "new": "x"}
    assert merge_patch(target, patch) == {
        "spec": {"b": {"c": 2, "d": 3}, "list": [3]},
        "keep": True,
        "new": "x",
    }
    assert target["spec"]["a"] == 1  # the target is not modified
    assert merge_patch({"spec": {"a": 1}}, {"spec": "scalar"}) == {"spec": "scalar"}
