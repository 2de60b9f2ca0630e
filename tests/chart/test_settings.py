"""The chart sets settings the components really read: every ARKENOS_* variable given to the
operator and the API is a field of their settings classes, and the rendered environment loads
into those classes (as far as it can without a cluster's Secrets)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from arkenos_api.settings import Settings as ApiSettings
from arkenos_operator.phonenumber.settings import PhoneNumberSettings
from arkenos_operator.settings import ENV_PREFIX, OperatorSettings
from tests.chart._support import VALUES_SETS, Manifest, ValuesSet, by_kind, container_env, one

OPERATOR_FIELDS = {ENV_PREFIX + f.upper() for f in OperatorSettings.model_fields} | {
    ENV_PREFIX + f.upper() for f in PhoneNumberSettings.model_fields
}
API_FIELDS = {"ARKENOS_" + f.upper() for f in ApiSettings.model_fields}
API_SECRET_STAND_INS = {
    "ARKENOS_DATABASE_URL": "postgresql+asyncpg://u:p@db:5432/arkenos",
    "ARKENOS_LIVEKIT_URL": "ws://livekit:7880",
    "ARKENOS_LIVEKIT_API_KEY": "platform-key",
    "ARKENOS_LIVEKIT_API_SECRET": "platform-secret-0123456789abcdef0123456789",
    "ARKENOS_S3_ENDPOINT": "s3:7070",
    "ARKENOS_S3_BUCKET": "arkenos",
    "ARKENOS_S3_ACCESS_KEY": "ACCESSKEY",
    "ARKENOS_S3_SECRET_KEY": "secret-key-0123456789",
    "ARKENOS_S3_SECURE": "false",
}


def _env(manifest: Manifest, container: str) -> list[dict[str, Any]]:
    spec = manifest["spec"]["template"]["spec"]
    containers = [*spec.get("initContainers", []), *spec["containers"]]
    env: list[dict[str, Any]] = next(c for c in containers if c["name"] == container)["env"]
    return env


def _deployment(manifests: list[Manifest], name: str) -> Manifest:
    return next(d for d in by_kind(manifests, "Deployment") if d["metadata"]["name"] == name)


def _plain(env: list[dict[str, Any]], secret_stand_ins: dict[str, str]) -> dict[str, str]:
    """The env as a process would see it, with Secret references replaced by stand-ins."""
    out: dict[str, str] = {}
    for item in env:
        if "value" in item:
            out[item["name"]] = item["value"]
        elif "secretKeyRef" in item.get("valueFrom", {}):
            out[item["name"]] = secret_stand_ins[item["name"]]
        elif "fieldRef" in item.get("valueFrom", {}):
            out[item["name"]] = "arkenos-system"
    return out


@pytest.mark.parametrize("values", VALUES_SETS, ids=lambda v: v.name)
def test_operator_variables_are_operator_settings(
    rendered: dict[str, list[Manifest]], values: ValuesSet
) -> None:
    env = _env(_deployment(rendered[values.name], "arkenos-operator"), "operator")
    names = {e["name"] for e in env if e["name"].startswith(ENV_PREFIX)}
    assert names - OPERATOR_FIELDS == set()
    settings = OperatorSettings.from_env(_plain(env, {"ARKENOS_LIVEKIT_URL": "ws://livekit:7880"}))
    assert settings.operator_namespace == "arkenos-system"
    assert settings.worker_image.startswith("ghcr.io/arkenos/arkenos-agent-runtime") or (
        values.name == "production"
    )


@pytest.mark.parametrize("values", VALUES_SETS, ids=lambda v: v.name)
def test_api_variables_are_api_settings(
    rendered: dict[str, list[Manifest]], values: ValuesSet
) -> None:
    env = _env(_deployment(rendered[values.name], "arkenos-api"), "api")
    names = {e["name"] for e in env if e["name"].startswith("ARKENOS_")}
    assert names - API_FIELDS == set()
    plain = _plain(env, API_SECRET_STAND_INS)
    fields = {k.removeprefix("ARKENOS_").lower(): v for k, v in plain.items() if k != "HOME"}
    settings = ApiSettings.model_validate(fields)
    assert settings.environment.value == "production"
    assert settings.platform_namespace == "arkenos-system"
    assert str(settings.master_keys_file) == "/var/run/secrets/arkenos/master-keys/keys"
    # Calls, the worker gateway and code deploys answer 503 without these: the API gets them.
    assert settings.livekit_url == "ws://livekit:7880"
    assert settings.livekit_api_secret is not None
    assert (settings.s3_endpoint, settings.s3_bucket) == ("s3:7070", "arkenos")
    assert settings.s3_secret_key is not None


def test_the_api_reads_livekit_and_storage_from_the_releases_secrets(
    rendered: dict[str, list[Manifest]],
) -> None:
    """Both from the same Secrets the workers and the operator use, never as plain values."""
    env = _env(_deployment(rendered["quickstart"], "arkenos-api"), "api")
    sources = {
        item["name"]: item["valueFrom"]["secretKeyRef"]["name"]
        for item in env
        if "secretKeyRef" in item.get("valueFrom", {})
    }
    assert sources["ARKENOS_LIVEKIT_API_SECRET"] == "arkenos-livekit"
    assert sources["ARKENOS_S3_SECRET_KEY"] == "arkenos-objectstorage"


@pytest.mark.parametrize("values", VALUES_SETS, ids=lambda v: v.name)
def test_dashboard_knows_the_livekit_url_browsers_join_calls_at(
    rendered: dict[str, list[Manifest]], values: ValuesSet
) -> None:
    """The dashboard's Content-Security-Policy allows the LiveKit URL the API hands out: the
    public URL when one is set, otherwise the URL in the LiveKit Secret (the API's default)."""
    manifests = rendered[values.name]
    dashboard = container_env(one(manifests, "Deployment", "arkenos-dashboard"), "dashboard")
    api = container_env(one(manifests, "Deployment", "arkenos-api"), "api")
    expected = api.get("ARKENOS_LIVEKIT_PUBLIC_URL", api["ARKENOS_LIVEKIT_URL"])
    assert dashboard["ARKENOS_LIVEKIT_PUBLIC_URL"] == expected


def test_production_operator_gets_the_phone_number_defaults(
    rendered: dict[str, list[Manifest]],
) -> None:
    env = container_env(one(rendered["production"], "Deployment", "arkenos-operator"), "operator")
    assert env["ARKENOS_LIVEKIT_SIP_SECRET"] == "arkenos-system/arkenos-livekit-sip"
    assert env["ARKENOS_TWILIO_SECRET"] == "arkenos-system/twilio"
    assert env["ARKENOS_LIVEKIT_CIDRS"] == '["203.0.113.0/24"]'
    registry = "registry.example.com/platform/arkenos"
    assert env["ARKENOS_WORKER_IMAGE"] == f"{registry}/arkenos-agent-runtime:0.1.0"


def test_with_the_bundled_livekit_custom_agents_may_reach_exactly_its_ports(
    rendered: dict[str, list[Manifest]],
) -> None:
    env = container_env(one(rendered["quickstart"], "Deployment", "arkenos-operator"), "operator")
    livekit = one(rendered["quickstart"], "Service", "arkenos-livekit")
    ports = {(p["protocol"], p["port"]) for p in livekit["spec"]["ports"]}
    tcp = {("TCP", port) for port in json.loads(env["ARKENOS_LIVEKIT_TCP_PORTS"])}
    first, last = json.loads(env["ARKENOS_LIVEKIT_UDP_PORT_RANGE"])
    udp = {("UDP", port) for port in range(first, last + 1)}
    assert tcp | udp == ports
