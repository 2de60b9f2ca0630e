"""How the emulated API server reads a request: the object it addresses, its body and namespace,
a patch by its content type, selectors, and the parameters of a watch.
"""

import asyncio
import re
from collections.abc import AsyncGenerator, AsyncIterator

import aiohttp.web
import jsonpatch
import jsonpointer
import kmock

from tests.substrate.k8s_objects import Body, ObjectKey, api_error, merge_patch
from tests.substrate.k8s_selectors import Selector, SelectorError, build_selector

NAMESPACES = kmock.resource("", "v1", "namespaces")
# kmock reads ".../namespaces/{x}" as a namespace prefix, so Namespace objects themselves are
# unaddressable (and the bare collection fails to parse). Their paths are served under an alias.
_NAMESPACE_PATH = re.compile(r"/api/v1/namespaces(?P<rest>(?:/[^/]+(?:/(?:status|finalize))?)?)/?")
NAMESPACE_ALIAS_PATH = "/api/v1/arkenos-emulator-namespaces"
NAMESPACE_ALIAS = kmock.resource("", "v1", "arkenos-emulator-namespaces")

_MERGE_PATCH_TYPES = frozenset(
    {
        "application/merge-patch+json",
        "application/strategic-merge-patch+json",  # read as a merge patch: lists are replaced
        "application/json",
    }
)
_JSON_PATCH_TYPE = "application/json-patch+json"


def alias_namespace_path(raw_request: aiohttp.web.BaseRequest) -> aiohttp.web.BaseRequest:
    match = _NAMESPACE_PATH.fullmatch(raw_request.path)
    if match is None:
        return raw_request
    aliased = raw_request.rel_url.with_path(NAMESPACE_ALIAS_PATH + match["rest"])
    return raw_request.clone(rel_url=aliased.with_query(raw_request.rel_url.query))


def require_resource(resource: kmock.resource | None) -> kmock.resource:
    if resource is None:
        raise api_error(404, "NotFound", "Not a Kubernetes resource path.")
    return resource


def object_key(request: kmock.Request) -> ObjectKey:
    if request.name is None:
        raise api_error(405, "MethodNotAllowed", "The request needs an object name.")
    return (require_resource(request.resource), request.namespace, request.name)


def object_body(request: kmock.Request) -> Body:
    if not isinstance(request.data, dict):
        raise api_error(400, "BadRequest", "The request body must be a JSON object.")
    return request.data


def namespace_for(request: kmock.Request, info: kmock.ResourceInfo, metadata: Body) -> str | None:
    if info.namespaced is False:
        metadata.pop("namespace", None)
        return None
    sent = metadata.get("namespace")
    if request.namespace is not None and sent not in (None, request.namespace):
        raise api_error(
            400,
            "BadRequest",
            "the namespace of the provided object does not match the namespace sent on the request",
        )
    namespace = request.namespace or sent
    if namespace is None:
        raise api_error(400, "BadRequest", "A namespaced object needs a namespace in the path.")
    metadata["namespace"] = namespace
    return str(namespace)


def apply_patch(current: Body, request: kmock.Request) -> Body:
    """The object after the request's patch, read by its content type as the API server does."""
    content_type = _content_type(request)
    if content_type == _JSON_PATCH_TYPE and isinstance(request.data, list):
        try:
            patched: Body = jsonpatch.apply_patch(current, request.data)
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as exc:
            raise api_error(422, "Invalid", f"The JSON patch cannot be applied: {exc}") from exc
        return patched
    if content_type in _MERGE_PATCH_TYPES and isinstance(request.data, dict):
        merged: Body = merge_patch(current, request.data)
        return merged
    if content_type == "application/apply-patch+yaml":
        raise api_error(415, "UnsupportedMediaType", "Server-side apply is not emulated.")
    raise api_error(415, "UnsupportedMediaType", f"Unsupported patch type {content_type!r}.")


def _content_type(request: kmock.Request) -> str:
    # kmock keeps the headers as sent: the name's case is the client's.
    for name, value in request.headers.items():
        if name.lower() == "content-type":
            return value.split(";")[0].strip().lower()
    return ""


def request_selector(request: kmock.Request) -> Selector:
    try:
        return build_selector(
            request.params.get("labelSelector", ""), request.params.get("fieldSelector", "")
        )
    except SelectorError as exc:
        raise api_error(400, "BadRequest", str(exc)) from exc


def in_watch_scope(request: kmock.Request, body: Body) -> bool:
    metadata = body.get("metadata") or {}
    in_namespace = request.namespace in (None, metadata.get("namespace"))
    return in_namespace and request.name in (None, metadata.get("name"))


def watch_since(value: str | None) -> int | None:
    if value in (None, "", "0"):
        return None  # start with the current state as ADDED events
    try:
        return int(value)
    except ValueError as exc:
        raise api_error(400, "BadRequest", f"Invalid resourceVersion {value!r}.") from exc


def watch_timeout(value: str | None) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except ValueError as exc:
        raise api_error(400, "BadRequest", f"Invalid timeoutSeconds {value!r}.") from exc


async def bounded(stream: AsyncIterator[Body], seconds: float | None) -> AsyncIterator[Body]:
    """Relay ``stream`` until it ends or ``seconds`` pass (a watch's ``timeoutSeconds``)."""
    loop = asyncio.get_running_loop()
    deadline = None if seconds is None else loop.time() + seconds
    try:
        while deadline is None or loop.time() < deadline:
            remaining = None if deadline is None else deadline - loop.time()
            try:
                item = await asyncio.wait_for(anext(stream), remaining)
            except (TimeoutError, StopAsyncIteration):
                return
            yield item
    finally:
        if isinstance(stream, AsyncGenerator):
            await stream.aclose()
