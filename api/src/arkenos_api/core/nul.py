"""Refuse NUL characters anywhere in a request: PostgreSQL text cannot hold them, so they would
otherwise fail deep inside a write instead of as a clear 422."""

from __future__ import annotations

from fastapi import Request

from arkenos_api.core.errors import ApiError

_JSON_NUL = b"\\u0000"


async def refuse_nul(request: Request) -> None:
    if "%00" in request.url.path or "%00" in request.url.query or "\x00" in request.url.path:
        raise ApiError(422, "nul_character", "the URL contains a NUL character")
    if request.method in ("POST", "PUT", "PATCH"):
        body = await request.body()
        if _JSON_NUL in body or b"\x00" in body:
            raise ApiError(422, "nul_character", "the body contains a NUL character")
