"""The project's Kubernetes API emulator: kmock's ``KubernetesEmulator`` with the bookkeeping and
write semantics of a real API server, so kopf and Kubernetes clients behave as against a cluster.
"""

import collections
import copy
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp.web
import attrs
import kmock
from kmock._internal.rendering import Response  # not re-exported by kmock

from tests.substrate.k8s_objects import (
    Body,
    ObjectKey,
    api_error,
    api_version,
    check_delete_preconditions,
    check_resource_version,
    describe,
    expired_watch_event,
    fold_string_data,
    generated_name,
    generation_fields,
    now,
    with_server_fields,
)
from tests.substrate.k8s_requests import (
    NAMESPACE_ALIAS,
    NAMESPACE_ALIAS_PATH,
    NAMESPACES,
    alias_namespace_path,
    apply_patch,
    bounded,
    in_watch_scope,
    namespace_for,
    object_body,
    object_key,
    request_selector,
    require_resource,
    watch_since,
    watch_timeout,
)
from tests.substrate.k8s_resources import (
    BUILTIN_RESOURCES,
    CRD_RESOURCE,
    ApiResource,
    resources_from_crd,
)
from tests.substrate.k8s_selectors import Selector

_STORED_SUBRESOURCES = frozenset({None, "status", "scale"})
SECRETS = kmock.resource("", "v1", "secrets")


@attrs.define(kw_only=True)
class ArkenosKubernetesEmulator(kmock.KubernetesEmulator):
    """kmock's emulator plus what a real API server does on writes, reads and discovery.

    Added over ``kmock.KubernetesEmulator``:

    - Object bookkeeping on create: ``metadata.uid`` (uuid4), ``creationTimestamp`` (RFC 3339,
      UTC), ``generation`` 1, ``namespace`` from the request path (400 if the body names another),
      ``generateName``, and ``apiVersion``/``kind`` when the body omits them.
    - One cluster-wide, monotonic ``resourceVersion`` (a string of an integer), bumped on every
      write including deletion; lists carry the current one. No-op updates change nothing.
    - ``generation`` bumped only when something other than ``metadata`` and ``status`` changes.
    - Optimistic concurrency: a PATCH/PUT whose body carries a stale ``metadata.resourceVersion``,
      or a DELETE with stale ``preconditions``, gets 409 Conflict; creating an existing name gets
      409 AlreadyExists.
    - PATCH by content type: JSON Patch (RFC 6902), or JSON merge patch (RFC 7386) for merge and
      strategic-merge patches (a strategic merge patch replaces lists instead of merging them).
      PUT replaces the object. Server-side apply gets 415.
    - Status isolation for resources declared with a ``status`` subresource: writes to the main
      resource keep the stored status, writes to ``/status`` change only the status, and status
      sent on create is dropped.
    - Deletion: objects with finalizers get ``deletionTimestamp`` and stay until an update
      removes the last finalizer, then they are gone (one DELETED event).
    - Label and field selectors (``labelSelector``/``fieldSelector``) on list and watch.
    - Watch from a ``resourceVersion`` (replays the retained event history; 410 Gone as an ERROR
      event when it is older than that), ``timeoutSeconds``, and no event lost between the initial
      listing and the live stream.
    - Secrets: ``stringData`` is folded into base64 ``data``.
    - Namespace objects: ``/api/v1/namespaces[/{name}[/status]]`` can be listed, created, read,
      patched and deleted (kmock 500s on them); new namespaces report ``status.phase: Active``.
    - Discovery of the built-in resources the platform touches (``BUILTIN_RESOURCES``) and of
      CRDs: ``register_crd()``, or POSTing a CustomResourceDefinition registers its resources.
    - ``reset()`` back to a baseline (objects, requests, reactions and resources added later).

    Writes to undeclared resources are not stored: they reach kmock reactions (for virtual
    resources such as TokenReview) or get 404, as on a server that does not know the resource.

    Still missing: schema validation and defaulting, garbage collection (ownerReferences),
    namespace deletion cascading, deletecollection, admission, RBAC, server-side apply.
    """

    event_history_size: int = 10_000

    _resource_version: int = attrs.field(default=0, init=False)
    _events: dict[kmock.resource, collections.deque[tuple[int, Body]]] = attrs.field(
        factory=dict, init=False
    )
    _evicted_up_to: dict[kmock.resource, int] = attrs.field(factory=dict, init=False)
    # What each write left behind, for its response (reads may see later writes already).
    _written: dict[kmock.Request, Body] = attrs.field(factory=dict, init=False)
    _baseline_resources: dict[kmock.resource, kmock.ResourceInfo] = attrs.field(
        factory=dict, init=False
    )
    _baseline_payloads: int = attrs.field(default=0, init=False)

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        self.fallback[kmock.method.PUT] << self._serve_update
        for resource in BUILTIN_RESOURCES:
            self.declare(resource)
        self.mark_baseline()

    # -- public API: declaring resources, resetting --------------------------------------------

    @property
    def resource_version(self) -> int:
        """The last resourceVersion issued (cluster-wide)."""
        return self._resource_version

    def declare(self, resource: ApiResource) -> None:
        """Serve ``resource``: make it discoverable and store its objects."""
        self.resources[resource.key] = resource.info()

    def register_crd(self, crd: Mapping[str, Any]) -> None:
        """Serve the resources of a CustomResourceDefinition manifest (no schema validation)."""
        for resource in resources_from_crd(crd):
            self.declare(resource)

    def mark_baseline(self) -> None:
        """Remember the current resources and reactions as the state ``reset()`` returns to."""
        self._baseline_resources = {key: self.resources[key] for key in self.resources}
        self._baseline_payloads = len(self._payloads)

    def reset(self) -> None:
        """Forget all objects, requests, events and later reactions/resources; call in its loop.

        The resourceVersion keeps counting up, as it would on a real cluster.
        """
        for key in list(self._objects):
            del self._objects[key]
        self._requests.clear()
        del self._payloads[self._baseline_payloads :]
        self.resources.clear()
        for resource, info in self._baseline_resources.items():
            self.resources[resource] = info
        self._events.clear()
        self._evicted_up_to.clear()
        self._written.clear()

    # -- request dispatching ---------------------------------------------------------------------

    async def __call__(self, raw_request: aiohttp.web.BaseRequest) -> aiohttp.web.StreamResponse:
        return await super().__call__(alias_namespace_path(raw_request))

    async def _handle(self, request: kmock.Request) -> aiohttp.web.StreamResponse:
        request = self._unalias_namespace_request(request)
        if self._is_stored_write(request):
            async with self._lock:
                await self._write(request)
        # kmock's own write interception is replaced by _write(): go straight to the reactions.
        return await super(kmock.KubernetesEmulator, self)._handle(request)

    def _is_stored_write(self, request: kmock.Request) -> bool:
        if request.resource is None or request.resource not in self.resources:
            return False
        if request.subresource not in _STORED_SUBRESOURCES:
            return False
        if request.action == kmock.action.CREATE:
            return request.subresource is None
        named_write = request.action in {kmock.action.UPDATE, kmock.action.DELETE}
        named_put = request.method == kmock.method.PUT and request.name is not None
        return named_write or named_put

    async def _write(self, request: kmock.Request) -> None:
        if request.action == kmock.action.CREATE:
            self._written[request] = await self._create(request)
        elif request.action == kmock.action.DELETE:
            self._written[request] = await self._delete(request)
        else:
            self._written[request] = await self._update(request)

    # -- writes ----------------------------------------------------------------------------------

    async def _create(self, request: kmock.Request) -> Body:
        resource = require_resource(request.resource)
        info = self.resources[resource]
        body = copy.deepcopy(object_body(request))
        metadata: Body = body.setdefault("metadata", {})
        metadata["name"] = metadata.get("name") or generated_name(metadata)
        namespace = namespace_for(request, info, metadata)
        key: ObjectKey = (resource, namespace, metadata["name"])
        if self._alive(key) is not None:
            raise api_error(409, "AlreadyExists", f"{describe(key)} already exists", key)

        body.setdefault("apiVersion", api_version(resource))
        body.setdefault("kind", info.kind)
        if "status" in info.subresources:
            body.pop("status", None)
        if resource == NAMESPACES:
            body["status"] = {"phase": "Active"}
        if resource == SECRETS:
            fold_string_data(body)
        metadata.update(
            uid=str(uuid.uuid4()),
            creationTimestamp=now(),
            generation=1,
            resourceVersion=self._next_resource_version(),
        )
        for server_only in ("deletionTimestamp", "deletionGracePeriodSeconds"):
            metadata.pop(server_only, None)

        self._store(key, body)
        await self._emit(resource, "ADDED", body)
        if resource == CRD_RESOURCE.key:
            self.register_crd(body)
        return body

    async def _update(self, request: kmock.Request) -> Body:
        key = object_key(request)
        current = copy.deepcopy(self._require_alive(key).raw)
        if request.method == kmock.method.PUT:
            candidate = copy.deepcopy(object_body(request))
        else:
            candidate = apply_patch(current, request)
        check_resource_version(key, current, candidate)
        candidate = self._isolate_status(request, current, candidate)
        candidate = with_server_fields(current, candidate)
        if key[0] == SECRETS:
            fold_string_data(candidate)
        if candidate == current:
            return current  # a no-op update changes nothing, not even the resourceVersion

        metadata = candidate["metadata"]
        if generation_fields(candidate) != generation_fields(current):
            metadata["generation"] = current["metadata"].get("generation", 0) + 1
        metadata["resourceVersion"] = self._next_resource_version()
        self._store(key, candidate)
        if metadata.get("deletionTimestamp") and not metadata.get("finalizers"):
            self._objects[key].delete()
            await self._emit(key[0], "DELETED", candidate)
        else:
            await self._emit(key[0], "MODIFIED", candidate)
        return candidate

    async def _delete(self, request: kmock.Request) -> Body:
        key = object_key(request)
        current = copy.deepcopy(self._require_alive(key).raw)
        check_delete_preconditions(key, current, request.data)
        metadata = current["metadata"]
        if metadata.get("deletionTimestamp"):
            return current  # already being deleted: waiting for its finalizers
        metadata["resourceVersion"] = self._next_resource_version()
        if metadata.get("finalizers"):
            metadata.update(deletionTimestamp=now(), deletionGracePeriodSeconds=0)
            self._store(key, current)
            await self._emit(key[0], "MODIFIED", current)
        else:
            self._store(key, current)
            self._objects[key].delete()
            await self._emit(key[0], "DELETED", current)
        return current

    def _isolate_status(self, request: kmock.Request, current: Body, candidate: Body) -> Body:
        """Writes to ``/status`` change only the status; other writes keep the stored status."""
        resource = require_resource(request.resource)
        if request.subresource == "status":
            isolated = copy.deepcopy(current)
            source, target = candidate, isolated
        elif "status" in self.resources[resource].subresources:
            isolated = copy.deepcopy(candidate)
            source, target = current, isolated
        else:
            return candidate
        target.pop("status", None)
        if "status" in source:
            target["status"] = copy.deepcopy(source["status"])
        return isolated

    # -- reads -----------------------------------------------------------------------------------

    async def _serve_list(self, request: kmock.Request) -> kmock.Payload:
        resource = self._require_declared(request)
        selects = request_selector(request)
        async with self._lock:
            items = [body for body in self._alive_bodies(request) if selects(body)]
            resource_version = str(self._resource_version)
        return {
            "apiVersion": api_version(resource),
            "kind": f"{self.resources[resource].kind}List",
            "metadata": {"resourceVersion": resource_version},
            "items": items,
        }

    async def _serve_watch(self, request: kmock.Request) -> AsyncIterator[kmock.Payload]:
        resource = self._require_declared(request)
        selects = request_selector(request)
        since = watch_since(request.params.get("resourceVersion"))
        timeout = watch_timeout(request.params.get("timeoutSeconds"))
        bus = self._buses[resource]
        async with self._lock:
            mark = await bus.mark()  # before the snapshot: no event falls in between
            initial = self._initial_watch_events(request, since, selects)
        try:
            yield b""  # send the headers now, even if no event comes
            for event in initial:
                yield event
            async for event in bounded(bus.stream(since=mark), timeout):
                if in_watch_scope(request, event["object"]) and selects(event["object"]):
                    yield event
        finally:
            await bus.unmark(mark)

    def _initial_watch_events(
        self, request: kmock.Request, since: int | None, selects: Selector
    ) -> list[Body]:
        resource = require_resource(request.resource)
        if since is None:
            bodies = self._alive_bodies(request)
            return [{"type": "ADDED", "object": body} for body in bodies if selects(body)]
        if since < self._evicted_up_to.get(resource, 0):
            return [expired_watch_event(since)]
        return [
            event
            for version, event in self._events.get(resource, ())
            if version > since
            and in_watch_scope(request, event["object"])
            and selects(event["object"])
        ]

    async def _serve_create(self, request: kmock.Request) -> kmock.Payload:
        return Response(status=201, payload=self._written_by(request))

    async def _serve_update(self, request: kmock.Request) -> kmock.Payload:
        return self._written_by(request)

    async def _serve_delete(self, request: kmock.Request) -> kmock.Payload:
        return self._written_by(request)

    def _written_by(self, request: kmock.Request) -> Body:
        """The object as this request's write left it."""
        written = self._written.pop(request, None)
        if written is None:  # an undeclared resource that no reaction served
            raise kmock.KubernetesResourceNotFoundError()
        return written

    # -- storage helpers -------------------------------------------------------------------------

    def _next_resource_version(self) -> str:
        self._resource_version += 1
        return str(self._resource_version)

    def _alive(self, key: ObjectKey) -> kmock.Object | None:
        if key in self._objects and not self._objects[key].deleted:
            return self._objects[key]
        return None

    def _require_alive(self, key: ObjectKey) -> kmock.Object:
        found = self._alive(key)
        if found is None:
            raise api_error(404, "NotFound", f"{describe(key)} not found", key)
        return found

    def _require_declared(self, request: kmock.Request) -> kmock.resource:
        resource = require_resource(request.resource)
        if resource not in self.resources:
            raise kmock.KubernetesResourceNotFoundError()
        return resource

    def _store(self, key: ObjectKey, body: Body) -> None:
        if key in self._objects:
            self._objects[key].history.append(body)
        else:
            self._objects[key] = body

    def _alive_bodies(self, request: kmock.Request) -> list[Body]:
        return [
            obj.raw
            for (resource, namespace, name), obj in self._objects.items()
            if resource == request.resource
            and request.namespace in (None, namespace)
            and request.name in (None, name)
            and not obj.deleted
        ]

    async def _emit(self, resource: kmock.resource, event_type: str, body: Body) -> None:
        event = {"type": event_type, "object": body}
        history = self._events.setdefault(
            resource, collections.deque(maxlen=self.event_history_size)
        )
        if len(history) == history.maxlen:
            self._evicted_up_to[resource] = history[0][0]
        history.append((int(body["metadata"]["resourceVersion"]), event))
        await self._buses[resource].put(event)

    def _unalias_namespace_request(self, request: kmock.Request) -> kmock.Request:
        if request.resource != NAMESPACE_ALIAS:
            return request
        path = request.url.path.replace(NAMESPACE_ALIAS_PATH, "/api/v1/namespaces", 1)
        fixed = attrs.evolve(request, resource=NAMESPACES, url=request.url.with_path(path))
        if request.id < len(self._requests) and self._requests[request.id] is request:
            self._requests[request.id] = fixed  # keep kmock's request log truthful
        return fixed
