"""Arkenos operator: reconciles VoiceAgent, PhoneNumber and WorkerPool resources with kopf.

Shared infrastructure lives at the top level (settings, logging, metrics, the Kubernetes
client, conditions, the reconcile runner, startup); each resource has its own feature package
(``voiceagent/``, ``workerpool/``, ``phonenumber/``) listed in :mod:`arkenos_operator.features`.
"""
