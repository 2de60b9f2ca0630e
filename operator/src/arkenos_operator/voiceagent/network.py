"""Pure builders of a custom agent's NetworkPolicies. Serving pods: no ingress; egress only
to DNS, the platform API, LiveKit (by namespace and pod selector, or configured CIDRs: never
0.0.0.0/0) and the destinations the agent declares. Build pods: no ingress; egress only to
DNS, the platform API and the configured build destinations (the package index)."""

from __future__ import annotations

from typing import Any

from arkenos_crds.custom import CustomSpec
from arkenos_operator.children import child_metadata
from arkenos_operator.settings import OperatorSettings
from arkenos_operator.voiceagent import names

Body = dict[str, Any]

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
DNS_NAMESPACE = "kube-system"
DNS_POD_LABELS = {"k8s-app": "kube-dns"}


def build_network_policy(agent: Body, custom: CustomSpec, settings: OperatorSettings) -> Body:
    name = agent["metadata"]["name"]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": child_metadata(
            agent,
            names.network_policy_name(name),
            names.agent_labels(name, names.COMPONENT_AGENT),
        ),
        "spec": {
            # Only the serving pods: build pods need the package index and object storage.
            "podSelector": {"matchLabels": names.agent_selector(name)},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [],
            "egress": [
                _dns_rule(),
                _api_rule(settings),
                *([livekit] if (livekit := _livekit_rule(settings)) else []),
                *(
                    {
                        "to": [{"ipBlock": {"cidr": rule.cidr}}],
                        "ports": [{"protocol": "TCP", "port": port} for port in rule.ports],
                    }
                    for rule in custom.isolation.egress
                ),
            ],
        },
    }


def _dns_rule() -> Body:
    return {
        "to": [
            {
                "namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: DNS_NAMESPACE}},
                "podSelector": {"matchLabels": dict(DNS_POD_LABELS)},
            }
        ],
        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
    }


def _api_rule(settings: OperatorSettings) -> Body:
    return {
        "to": [
            {
                "namespaceSelector": {
                    "matchLabels": {NAMESPACE_NAME_LABEL: settings.api_pods_namespace}
                },
                "podSelector": {"matchLabels": dict(settings.api_pod_labels)},
            }
        ],
        "ports": [{"protocol": "TCP", "port": settings.api_port}],
    }


def _livekit_rule(settings: OperatorSettings) -> Body | None:
    """LiveKit by selector and/or CIDRs; None (no rule) when neither is configured, because an
    egress rule without peers would allow every destination."""
    peers: list[Body] = [{"ipBlock": {"cidr": cidr}} for cidr in settings.livekit_cidrs]
    if settings.livekit_namespace is not None:
        peers.insert(
            0,
            {
                "namespaceSelector": {
                    "matchLabels": {NAMESPACE_NAME_LABEL: settings.livekit_namespace}
                },
                "podSelector": {"matchLabels": dict(settings.livekit_pod_labels)},
            },
        )
    if not peers:
        return None
    first, last = settings.livekit_udp_port_range
    return {
        "to": peers,
        "ports": [
            *({"protocol": "TCP", "port": port} for port in settings.livekit_tcp_ports),
            {"protocol": "UDP", "port": first, "endPort": last},
        ],
    }


def build_build_network_policy(agent: Body, settings: OperatorSettings) -> Body:
    """The build pods' policy: they run the user's requirements' setup code, so they reach
    only DNS, the API and the configured build destinations."""
    name = agent["metadata"]["name"]
    extra = [
        {
            "to": [{"ipBlock": {"cidr": cidr}} for cidr in settings.build_egress_cidrs],
            "ports": [{"protocol": "TCP", "port": port} for port in settings.build_egress_ports],
        }
    ]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": child_metadata(
            agent,
            names.build_network_policy_name(name),
            names.agent_labels(name, names.COMPONENT_BUILD),
        ),
        "spec": {
            "podSelector": {"matchLabels": names.agent_selector(name, names.COMPONENT_BUILD)},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [],
            "egress": [
                _dns_rule(),
                _api_rule(settings),
                *(extra if settings.build_egress_cidrs else []),
            ],
        },
    }
