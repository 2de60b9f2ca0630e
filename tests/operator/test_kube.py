"""The thin client's pure parts: API paths and the null-free create body."""

from arkenos_operator.kube import DEPLOYMENTS, PODS, VOICE_AGENTS, without_nulls


def test_paths_for_core_grouped_and_custom_resources() -> None:
    assert PODS.path("team-a") == "/api/v1/namespaces/team-a/pods"
    assert DEPLOYMENTS.path(None) == "/apis/apps/v1/deployments"
    assert VOICE_AGENTS.path("team-a", "support", "status") == (
        "/apis/arkenos.io/v1alpha1/namespaces/team-a/voiceagents/support/status"
    )
    assert (PODS.api_version, VOICE_AGENTS.api_version) == ("v1", "arkenos.io/v1alpha1")


def test_create_bodies_drop_nulls_at_every_depth() -> None:
    body = {"a": None, "b": {"c": None, "d": 1}, "e": [{"f": None, "g": 2}, 3]}
    assert without_nulls(body) == {"b": {"d": 1}, "e": [{"g": 2}, 3]}
