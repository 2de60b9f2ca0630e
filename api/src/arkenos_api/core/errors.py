"""One error format for every response: ``{code, message, field, requestId}``.

Services raise :class:`ApiError`; FastAPI's validation errors and unexpected exceptions are
turned into the same shape here.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import aiohttp
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from kubernetes_asyncio.client.exceptions import ApiException
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from arkenos_api.core.observability import current_request_id

log = logging.getLogger(__name__)

#: A CEL rule's message names its field as "<path>: message" (arkenos_crds._base).
_CEL_FIELD = re.compile(r"^(?:Value error, )?([A-Za-z0-9_.\[\]]+): (.+)$")


class FieldIssue(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    field: str = Field(description="Dotted path of the field, camelCase as on the wire.")
    message: str = Field(description="What is wrong with it.")


class ErrorBody(BaseModel):
    """The body of every error response."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        json_schema_extra={
            "example": {
                "code": "validation_error",
                "message": "spec.llm.temperature: '3' does not match the allowed pattern",
                "field": "spec.llm.temperature",
                "requestId": "4f6c1c8e2a7b4d1e",
            }
        },
    )

    code: str = Field(description="Stable machine-readable error code.")
    message: str = Field(description="What went wrong, for a person.")
    field: str | None = Field(default=None, description="The field at fault, if one is.")
    errors: list[FieldIssue] = Field(default_factory=list, description="Every field at fault.")
    request_id: str | None = Field(default=None, description="X-Request-ID of the request.")


class ApiError(Exception):
    """An error with an HTTP status the client can act on."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        errors: list[FieldIssue] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers
        self.errors = errors


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} not found")


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    errors: list[FieldIssue] | None = None,
    headers: dict[str, str] | None = None,
    request_id: str | None = None,
) -> JSONResponse:
    body = ErrorBody(
        code=code,
        message=message,
        field=field,
        errors=errors or [],
        request_id=request_id or current_request_id(),
    )
    return JSONResponse(
        body.model_dump(by_alias=True, mode="json"), status_code=status, headers=headers
    )


def field_issues(errors: list[dict[str, Any]] | Any) -> list[FieldIssue]:
    """Turn pydantic error entries into field issues, folding a CEL rule's own field path in."""
    issues = []
    for error in errors:
        parts = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path")]
        message = str(error.get("msg", "invalid"))
        match = _CEL_FIELD.match(message)
        if match and error.get("type") == "value_error":
            parts.append(match.group(1))
            message = match.group(2)
        issues.append(FieldIssue(field=".".join(parts) or "<body>", message=message))
    return issues


def validation_error(issues: list[FieldIssue]) -> ApiError:
    summary = "; ".join(f"{i.field}: {i.message}" for i in issues)
    return ApiError(422, "validation_error", summary, issues[0].field, errors=issues)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(
            exc.status, exc.code, exc.message, exc.field, exc.errors, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        error = validation_error(field_issues(exc.errors()))
        return error_response(422, error.code, error.message, error.field, error.errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        headers = dict(exc.headers) if exc.headers else None
        return error_response(exc.status_code, code, str(exc.detail), headers=headers)

    @app.exception_handler(ApiException)
    async def _kubernetes(_: Request, exc: ApiException) -> JSONResponse:
        log.warning("Kubernetes API error %s %s", exc.status, exc.reason)
        message = f"the Kubernetes API answered {exc.status} {exc.reason}; try again later"
        return error_response(502, "kubernetes_error", message)

    @app.exception_handler(aiohttp.ClientError)
    async def _kubernetes_unreachable(_: Request, exc: aiohttp.ClientError) -> JSONResponse:
        log.warning("Kubernetes API unreachable: %s", exc)
        return error_response(503, "kubernetes_unavailable", "the Kubernetes API is unreachable")

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        # Registered for its own class so Starlette answers it here and does not re-raise it
        # to the server (whose log would print the message). The driver's message can quote a
        # bound value ("invalid input for query argument $6: 9223372036854775808"), so only
        # the error's class and SQLSTATE are logged: never str(exc), never the traceback.
        request_id = getattr(request.state, "request_id", None)
        log.error(
            "database error in request %s: %s (SQLSTATE %s)",
            request_id,
            type(exc.orig).__name__,
            getattr(exc.orig, "sqlstate", None) or "unknown",
        )
        message = f"internal error; see the server log for request {request_id}"
        return error_response(500, "internal_error", message, request_id=request_id)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        request_id = getattr(request.state, "request_id", None)
        log.exception("unhandled error in request %s", request_id, exc_info=exc)
        message = f"internal error; see the server log for request {request_id}"
        return error_response(500, "internal_error", message, request_id=request_id)
