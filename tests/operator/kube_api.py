"""A small synchronous client of the emulated API for tests: what kubectl would do."""

from __future__ import annotations

import time
from typing import Any

import httpx

from arkenos_operator.kube import Kind
from tests.substrate.kubernetes import KUBECONFIG_TOKEN, RunningEmulator
from tests.substrate.waiting import wait_until

Body = dict[str, Any]
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


class KubeApi:
    """create / get / patch / delete through the emulator's HTTP API, as a user would."""

    def __init__(self, k8s: RunningEmulator) -> None:
        self.k8s = k8s
        self.http = httpx.Client(
            base_url=k8s.url, headers={"Authorization": f"Bearer {KUBECONFIG_TOKEN}"}, timeout=10
        )

    def close(self) -> None:
        self.http.close()

    def create(self, kind: Kind, body: Body) -> Body:
        namespace = body["metadata"].get("namespace")
        response = self.http.post(kind.path(namespace), json=body)
        response.raise_for_status()
        return dict(response.json())

    def get(self, kind: Kind, namespace: str | None, name: str) -> Body | None:
        response = self.http.get(kind.path(namespace, name))
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return dict(response.json())

    def list(self, kind: Kind, namespace: str | None = None) -> list[Body]:
        response = self.http.get(kind.path(namespace))
        response.raise_for_status()
        return list(response.json().get("items") or [])

    def patch(
        self, kind: Kind, namespace: str | None, name: str, patch: Body, sub: str | None = None
    ) -> Body:
        response = self.http.patch(kind.path(namespace, name, sub), json=patch, headers=MERGE_PATCH)
        response.raise_for_status()
        return dict(response.json())

    def delete(self, kind: Kind, namespace: str | None, name: str) -> None:
        response = self.http.delete(kind.path(namespace, name))
        if response.status_code != 404:
            response.raise_for_status()

    def wait_for(
        self, kind: Kind, namespace: str | None, name: str, within: float = 15.0, what: str = ""
    ) -> Body:
        return wait_until(
            lambda: self.get(kind, namespace, name),
            within=within,
            interval=0.05,
            what=what or f"{kind.kind} {namespace}/{name} to exist",
        )

    def wait_for_condition(
        self,
        kind: Kind,
        namespace: str | None,
        name: str,
        type_: str,
        status: str,
        reason: str | None = None,
        within: float = 15.0,
    ) -> Body:
        """Wait until the object's condition ``type_`` has ``status`` (and ``reason``)."""

        def probe() -> Body | None:
            obj = self.get(kind, namespace, name)
            condition = condition_of(obj, type_)
            if condition is None or condition["status"] != status:
                return None
            if reason is not None and condition["reason"] != reason:
                return None
            return obj

        try:
            return wait_until(probe, within=within, interval=0.05, what=f"{type_}={status}")
        except TimeoutError as error:
            current = condition_of(self.get(kind, namespace, name), type_)
            raise TimeoutError(f"{error} Last seen: {current}") from None

    def stays(self, probe: Any, seconds: float) -> None:
        """Assert that ``probe()`` stays truthy for ``seconds`` (to show something does NOT
        happen, e.g. no rebuild): polled, not slept through."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert probe(), "the state changed while it should have stayed"
            time.sleep(0.05)


def condition_of(obj: Body | None, type_: str) -> Body | None:
    for condition in ((obj or {}).get("status") or {}).get("conditions") or []:
        if condition.get("type") == type_:
            return dict(condition)
    return None
