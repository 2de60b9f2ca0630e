"""The feature packages the operator runs, and the registry they register their handlers in.

Each entry names a module with ``register(registry, settings)``. To add a resource, add its
handlers module to :data:`FEATURES`; nothing else in the shared infrastructure changes.
"""

from __future__ import annotations

import importlib
from typing import Protocol, cast

import kopf

from arkenos_operator.settings import OperatorSettings
from arkenos_operator.startup import register_core

FEATURES: tuple[str, ...] = (
    "arkenos_operator.voiceagent.handlers",
    "arkenos_operator.workerpool.handlers",
)


class Feature(Protocol):
    def register(self, registry: kopf.OperatorRegistry, settings: OperatorSettings) -> None: ...


def build_registry(
    settings: OperatorSettings, features: tuple[str, ...] = FEATURES
) -> kopf.OperatorRegistry:
    """A fresh registry with the core handlers and every feature's handlers.

    A fresh registry per operator (rather than kopf's default one, filled at import) lets
    handler options come from settings and lets tests run several operators in one process.
    """
    registry = kopf.OperatorRegistry()
    # The same credentials our own client (kubernetes_asyncio) loads: in-cluster or kubeconfig.
    kopf.on.login(registry=registry)(kopf.login_via_async_client)
    register_core(registry, settings)
    for module_name in features:
        feature = cast(Feature, importlib.import_module(module_name))
        feature.register(registry, settings)
    return registry
