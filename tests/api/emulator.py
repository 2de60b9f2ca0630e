"""The API tests' Kubernetes emulator: kmock's emulator plus what the API relies on that kmock
lacks, done the way a real API server does it.

- TokenReview (``POST /apis/authentication.k8s.io/v1/tokenreviews``): answers from a token →
  ServiceAccount map; an unknown token, or one asked about for an audience it was not issued
  for, is ``authenticated: false``; the answer's ``audiences`` is the intersection.
- Optimistic concurrency on PATCH: a patch carrying a ``metadata.resourceVersion`` that is not
  the object's current one gets 409 Conflict (the real server checks this for merge patches).
- Namespaces (``/api/v1/namespaces[/<name>]``: create, get, merge-patch), which kmock cannot
  route (its path parser reads "namespaces" as a namespace prefix).
- 201 Created for creates (kmock answers 200, which kubernetes_asyncio reads as no body).
- Server-filled metadata (uid, resourceVersion, generation, creationTimestamp, namespace from
  the path); resourceVersion moves on every write, generation when the spec changes.
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp.web
import attrs
from kmock import KubernetesEmulator, KubernetesError, Request, action

TOKEN_REVIEW_PATH = "/apis/authentication.k8s.io/v1/tokenreviews"
NAMESPACES_PATH = re.compile(r"^/api/v1/namespaces(?:/([a-z0-9-]+))?/?$")


@attrs.frozen
class ResourceVersionConflict(KubernetesError):
    status: int = 409
    reason: str = "Conflict"
    message: str = (
        "Operation cannot be fulfilled: the object has been modified; "
        "please apply your changes to the latest version and try again"
    )


@dataclass
class IssuedToken:
    username: str
    audiences: tuple[str, ...]


@dataclass
class TokenAuthority:
    """Projected ServiceAccount tokens the emulated cluster has issued."""

    tokens: dict[str, IssuedToken] = field(default_factory=dict)
    reviews: int = 0

    def issue(self, namespace: str, service_account: str, audiences: tuple[str, ...]) -> str:
        token = f"sa-token-{uuid.uuid4().hex}"
        username = f"system:serviceaccount:{namespace}:{service_account}"
        self.tokens[token] = IssuedToken(username, audiences)
        return token

    def review(self, body: dict[str, Any]) -> dict[str, Any]:
        self.reviews += 1
        spec = body.get("spec", {})
        issued = self.tokens.get(spec.get("token", ""))
        wanted = spec.get("audiences") or []
        audiences = [a for a in wanted if issued and a in issued.audiences]
        status: dict[str, Any] = {"authenticated": False}
        if issued is not None and (not wanted or audiences):
            status = {
                "authenticated": True,
                "user": {"username": issued.username, "groups": ["system:serviceaccounts"]},
                "audiences": audiences,
            }
        elif issued is not None:
            status["error"] = "token audiences do not match"
        return {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenReview",
            "metadata": {"creationTimestamp": None},
            "spec": spec,
            "status": status,
        }


@attrs.define(kw_only=True)
class ApiEmulator(KubernetesEmulator):
    authority: TokenAuthority = attrs.field(factory=TokenAuthority)
    namespaces: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    _versions: Any = attrs.field(factory=lambda: itertools.count(1000), init=False)

    def add_namespace(self, name: str, labels: dict[str, str] | None = None) -> None:
        """A namespace made outside the API (as kubectl would)."""
        metadata = {"name": name, "labels": labels or {}, "uid": str(uuid.uuid4())}
        self.namespaces[name] = {"apiVersion": "v1", "kind": "Namespace", "metadata": metadata}

    async def __call__(self, raw_request: aiohttp.web.BaseRequest) -> aiohttp.web.StreamResponse:
        match = NAMESPACES_PATH.match(raw_request.path)
        if match is None:
            return await super().__call__(raw_request)
        body = json.loads(await raw_request.read() or b"{}")
        return self._serve_namespace(raw_request.method, match.group(1), body)

    def _serve_namespace(
        self, method: str, name: str | None, body: dict[str, Any]
    ) -> aiohttp.web.StreamResponse:
        if method == "POST" and name is None:
            name = body.get("metadata", {}).get("name", "")
            if name in self.namespaces:
                return _status(409, "AlreadyExists", f'namespaces "{name}" already exists')
            body.setdefault("metadata", {})["uid"] = str(uuid.uuid4())
            body["metadata"]["resourceVersion"] = str(next(self._versions))
            body["status"] = {"phase": "Active"}
            self.namespaces[name] = body
            return aiohttp.web.json_response(body, status=201)
        if name is None or name not in self.namespaces:
            return _status(404, "NotFound", f'namespaces "{name}" not found')
        stored = self.namespaces[name]
        if method == "PATCH":
            labels = body.get("metadata", {}).get("labels", {})
            stored["metadata"].setdefault("labels", {}).update(labels)
            stored["metadata"]["resourceVersion"] = str(next(self._versions))
        elif method != "GET":
            return _status(405, "MethodNotAllowed", f"{method} is not emulated for namespaces")
        return aiohttp.web.json_response(stored)

    async def _handle(self, request: Request) -> aiohttp.web.StreamResponse:
        if request.url.path == TOKEN_REVIEW_PATH and request.method == "POST":
            return aiohttp.web.json_response(self.authority.review(request.data or {}), status=201)
        creating = request.resource is not None and request.action == action.CREATE
        if request.resource is not None and isinstance(request.data, dict):
            if creating:
                self._fill_created(request)
            elif request.action == action.UPDATE and request.name is not None:
                self._check_and_bump(request)
        response = await super()._handle(request)
        if creating and response.status == 200 and not response.prepared:
            response.set_status(201)  # as the API server answers a create
        return response

    def _fill_created(self, request: Request) -> None:
        metadata = request.data.setdefault("metadata", {})
        metadata.setdefault("namespace", request.namespace)
        if metadata.get("namespace") is None:
            metadata.pop("namespace")
        metadata["uid"] = str(uuid.uuid4())
        metadata["resourceVersion"] = str(next(self._versions))
        metadata["generation"] = 1
        metadata["creationTimestamp"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _check_and_bump(self, request: Request) -> None:
        key = (request.resource, request.namespace, request.name)
        stored = self.objects[key] if key in self.objects else None
        if stored is None or stored.deleted:
            return  # the emulator answers 404 itself
        current = stored.get("metadata", {})
        metadata = request.data.setdefault("metadata", {})
        sent = metadata.get("resourceVersion")
        if sent is not None and sent != current.get("resourceVersion"):
            raise ResourceVersionConflict()
        metadata["resourceVersion"] = str(next(self._versions))
        if "spec" in request.data and request.data["spec"] != {}:
            metadata["generation"] = current.get("generation", 1) + 1


def _status(code: int, reason: str, message: str) -> aiohttp.web.Response:
    body = {
        "apiVersion": "v1",
        "kind": "Status",
        "status": "Failure",
        "code": code,
        "reason": reason,
        "message": message,
    }
    return aiohttp.web.json_response(body, status=code)
