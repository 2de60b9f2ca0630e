"""The feature packages the operator runs, and the registry they register their handlers in.

Each entry names a module with ``register(registry, settings)``. To add a resource, add its
handlers module to :data:`FEATURES`; nothing else in the shared infrastructure changes.
"""

from __future__ import annotations

import importlib
import os
from typing import Any, Protocol, cast

import kopf

from arkenos_operator.settings import OperatorSettings
from arkenos_operator.startup import register_core

FEATURES: tuple[str, ...] = (
    "arkenos_operator.voiceagent.handlers",
    "arkenos_operator.workerpool.handlers",
    "arkenos_operator.phonenumber.handlers",
)


class Feature(Protocol):
    def register(self, registry: kopf.OperatorRegistry, settings: OperatorSettings) -> None: ...


def login(**kwargs: Any) -> kopf.ConnectionInfo | None:
    """The same credentials our own client loads: in-cluster, else the kubeconfig."""
    if os.environ.get("KUBERNETES_SERVICE_HOST"):
        return kopf.login_with_service_account(**kwargs)
    return kopf.login_with_kubeconfig(**kwargs)


def build_registry(
    settings: OperatorSettings, features: tuple[str, ...] = FEATURES
) -> kopf.OperatorRegistry:
    """A fresh registry with the core handlers and every feature's handlers.

    A fresh registry per operator (rather than kopf's default one, filled at import) lets
    handler options come from settings and lets tests run several operators in one process.
    """
    registry = kopf.OperatorRegistry()
    kopf.on.login(id="login", registry=registry)(login)
    register_core(registry, settings)
    for module_name in features:
        feature = cast(Feature, importlib.import_module(module_name))
        feature.register(registry, settings)
    return registry
