"""Refuse text PostgreSQL (and Kubernetes) cannot store: NUL characters, and lone UTF-16
surrogates (JSON can spell ``"\\ud800"``, which no UTF-8 text can hold). Either would otherwise
fail deep inside a write, or be stored in a resource and break every later read, instead of
being a clear 422. Binary uploads (``application/gzip``: artifacts, streamed by their route) are
not text and are not read here; FastAPI never parses such a body as JSON for another route."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import Request

from arkenos_api.core.errors import ApiError

_JSON_NUL = b"\\u0000"
#: A JSON escape of a surrogate code point; only then is the body parsed to look closer.
_JSON_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_BODY_METHODS = ("POST", "PUT", "PATCH")
_BINARY_TYPES = frozenset({"application/gzip"})


def _has_text_body(request: Request) -> bool:
    content_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    return request.method in _BODY_METHODS and content_type not in _BINARY_TYPES


async def refuse_nul(request: Request) -> None:
    if "%00" in request.url.path or "%00" in request.url.query or "\x00" in request.url.path:
        raise ApiError(422, "nul_character", "the URL contains a NUL character")
    if _has_text_body(request):
        body = await request.body()
        if _JSON_NUL in body or b"\x00" in body:
            raise ApiError(422, "nul_character", "the body contains a NUL character")


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    return False


async def refuse_lone_surrogates(request: Request) -> None:
    if not _has_text_body(request):
        return
    body = await request.body()
    if not _JSON_SURROGATE.search(body):
        return
    try:
        parsed = json.loads(body)
    except ValueError:
        return  # not JSON: the body's own validation answers
    if _has_lone_surrogate(parsed):
        raise ApiError(
            422, "invalid_text", "the body contains a lone UTF-16 surrogate, which is not text"
        )
