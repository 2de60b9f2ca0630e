"""A minimal kopf operator that writes a VoiceAgent's status, to prove kopf runs on the emulator.

Handlers go into a registry built per call rather than kopf's global one, so every KopfRunner
gets exactly one copy of them and nothing is imported by file path.
"""

from typing import Any

import kopf

VOICEAGENTS = ("arkenos.io", "v1alpha1", "voiceagents")


def build_registry() -> kopf.OperatorRegistry:
    registry = kopf.OperatorRegistry()

    @kopf.on.login(registry=registry)
    def login(**kwargs: Any) -> kopf.ConnectionInfo | None:
        return kopf.login_with_kubeconfig(**kwargs)

    @kopf.on.startup(registry=registry)
    def configure(settings: kopf.OperatorSettings, **_: Any) -> None:
        settings.posting.enabled = False  # Kubernetes events would only be noise here
        settings.watching.server_timeout = 30
        settings.networking.request_timeout = 10

    @kopf.on.create(*VOICEAGENTS, id="greet", registry=registry)
    def greet(spec: kopf.Spec, patch: kopf.Patch, **_: Any) -> None:
        patch.status["greetingSeen"] = spec.get("greeting", {}).get("text", "")

    return registry
