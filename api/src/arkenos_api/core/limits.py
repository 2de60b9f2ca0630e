"""The request body size limit: a body larger than the setting is refused with 413 before the
app reads it, by its Content-Length, or, for a body streamed without one, as soon as the bytes
received pass the limit (such a body is buffered, at most the limit, and replayed to the app:
the app reads whole bodies anyway, and FastAPI would turn an error raised mid-read into a 400).
Routes that stream a large body themselves (artifact uploads) are left to enforce their own.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from arkenos_api.core.errors import ApiError, error_response

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def path_pattern(template: str) -> re.Pattern[str]:
    """A route template's paths (``/a/{b}/c`` matches ``/a/anything/c``)."""
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))


class BodySizeLimitMiddleware:
    """Plain ASGI, so the ingest path (which sends Content-Length) pays one header lookup."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, streamed_paths: re.Pattern[str] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.streamed_paths = streamed_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in _BODY_METHODS
            or (self.streamed_paths is not None and self.streamed_paths.fullmatch(scope["path"]))
        ):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                error = ApiError(400, "bad_content_length", "Content-Length is not a number")
                await self._refuse(error, scope, receive, send)
            elif int(declared) > self.max_bytes:
                await self._refuse(self._too_large(), scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        received = 0
        more = True
        while more:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                await self._refuse(self._too_large(), scope, receive, send)
                return
            more = message.get("more_body", False)

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    def _too_large(self) -> ApiError:
        return ApiError(
            413,
            "body_too_large",
            f"the request body is larger than the limit of {self.max_bytes} bytes",
        )

    async def _refuse(self, error: ApiError, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(error.status, error.code, error.message)
        await response(scope, receive, send)
