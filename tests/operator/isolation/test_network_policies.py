"""Custom agents' network policies: LiveKit is reached by namespace and pod selector or by
configured CIDRs, never by 0.0.0.0/0, and never through a rule without peers (which would
allow every destination); build pods get their own default-deny policy that allows DNS, the
API and the configured build destinations only. Build pods run restricted, as serving pods."""

from __future__ import annotations

from typing import Any

from arkenos_operator.pods import container_security_context, pod_security_context
from arkenos_operator.voiceagent.build import build_job
from arkenos_operator.voiceagent.network import build_build_network_policy, build_network_policy
from tests.operator.conftest import make_settings
from tests.operator.expected_children import BUNDLE, agent, spec_of


def _agent_policy(**settings: str) -> dict[str, Any]:
    body = agent({"bundle": {"digest": BUNDLE}})
    custom = spec_of(body).custom
    assert custom is not None
    return build_network_policy(body, custom, make_settings(**settings))


def _peers(policy: dict[str, Any]) -> list[dict[str, Any]]:
    return [peer for rule in policy["spec"]["egress"] for peer in rule["to"]]


def test_default_settings_open_no_egress_to_the_internet() -> None:
    policy = _agent_policy()
    assert all("to" in rule and rule["to"] for rule in policy["spec"]["egress"])
    assert {"ipBlock": {"cidr": "0.0.0.0/0"}} not in _peers(policy)
    # Without a LiveKit address configured there is no LiveKit rule at all.
    assert not any(
        port.get("protocol") == "UDP" and port.get("port") != 53
        for rule in policy["spec"]["egress"]
        for port in rule["ports"]
    )


def test_livekit_by_namespace_and_pod_selector() -> None:
    policy = _agent_policy(livekit_namespace="livekit", livekit_tcp_ports="[7880, 7881]")
    livekit = policy["spec"]["egress"][2]
    assert livekit["to"] == [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "livekit"}},
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "livekit-server"}},
        }
    ]
    assert {"protocol": "TCP", "port": 7880} in livekit["ports"]
    assert {"protocol": "UDP", "port": 50000, "endPort": 60000} in livekit["ports"]


def test_livekit_by_configured_cidrs() -> None:
    policy = _agent_policy(livekit_cidrs='["203.0.113.0/28"]')
    assert policy["spec"]["egress"][2]["to"] == [{"ipBlock": {"cidr": "203.0.113.0/28"}}]


def test_build_pods_have_their_own_default_deny_policy() -> None:
    body = agent({"bundle": {"digest": BUNDLE}})
    settings = make_settings(
        build_egress_cidrs='["198.51.100.10/32"]', api_namespace="arkenos-system"
    )
    policy = build_build_network_policy(body, settings)
    assert policy["metadata"]["name"] == "arkenos-build-orders"
    assert policy["spec"]["podSelector"] == {
        "matchLabels": {
            "app.kubernetes.io/name": "arkenos-agent",
            "app.kubernetes.io/component": "build",
            "arkenos.io/agent": "orders",
        }
    }
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert policy["spec"]["ingress"] == []
    dns, api, index = policy["spec"]["egress"]
    assert dns["ports"] == [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]
    assert api["to"][0]["namespaceSelector"] == {
        "matchLabels": {"kubernetes.io/metadata.name": "arkenos-system"}
    }
    assert index == {
        "to": [{"ipBlock": {"cidr": "198.51.100.10/32"}}],
        "ports": [{"protocol": "TCP", "port": 443}],
    }
    # The build Job's pods carry exactly the labels the policy selects.
    custom = spec_of(body).custom
    assert custom is not None
    job = build_job(body, custom, settings)
    pod_labels = job["spec"]["template"]["metadata"]["labels"]
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= pod_labels.items()


def test_build_pods_run_restricted() -> None:
    body = agent({"bundle": {"digest": BUNDLE}})
    custom = spec_of(body).custom
    assert custom is not None
    pod = build_job(body, custom, make_settings())["spec"]["template"]["spec"]
    assert pod["securityContext"] == pod_security_context()
    assert pod["automountServiceAccountToken"] is False
    for container in pod["containers"]:
        assert container["securityContext"] == container_security_context()
        assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
        assert container["resources"]["limits"]
