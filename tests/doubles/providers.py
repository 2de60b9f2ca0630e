"""A double of the model and telephony providers' cheapest authenticated endpoints, the ones
the API's "test key" calls: it checks each provider's own auth header the way the provider
does and answers 401 for a key it does not know.

Mount points (set the API's base URLs to ``<double>/<provider>...``):
``/openai/v1/models``, ``/cartesia/voices``, ``/deepgram/v1/projects``,
``/google/v1beta/models``. Twilio's key check (``GET /2010-04-01/Accounts/{Sid}.json``) is
served by the Twilio double (tests.doubles.twilio), the one home of Twilio's behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@dataclass
class ProviderState:
    """Keys each provider accepts, and every request seen (provider, path)."""

    valid_keys: dict[str, set[str]] = field(default_factory=dict)
    seen: list[tuple[str, str]] = field(default_factory=list)

    def accept(self, provider: str, key: str) -> None:
        self.valid_keys.setdefault(provider, set()).add(key)

    def ok(self, provider: str, key: str | None) -> bool:
        return key is not None and key in self.valid_keys.get(provider, set())


def _unauthorized(message: str) -> JSONResponse:
    return JSONResponse({"error": {"message": message}}, status_code=401)


def _bearer(request: Request, scheme: str) -> str | None:
    value = request.headers.get("authorization", "")
    prefix = f"{scheme} "
    return value[len(prefix) :] if value.startswith(prefix) else None


def build_app(state: ProviderState) -> Starlette:
    async def openai_models(request: Request) -> JSONResponse:
        state.seen.append(("openai", request.url.path))
        if not state.ok("openai", _bearer(request, "Bearer")):
            return _unauthorized("Incorrect API key provided.")
        return JSONResponse({"object": "list", "data": [{"id": "gpt-4o-mini", "object": "model"}]})

    async def cartesia_voices(request: Request) -> JSONResponse:
        state.seen.append(("cartesia", request.url.path))
        if "cartesia-version" not in request.headers:
            return JSONResponse({"error": "Cartesia-Version header is required"}, status_code=400)
        if not state.ok("cartesia", request.headers.get("x-api-key")):
            return _unauthorized("Invalid API key")
        return JSONResponse([{"id": "a0e99841", "name": "Barbershop Man"}])

    async def deepgram_projects(request: Request) -> JSONResponse:
        state.seen.append(("deepgram", request.url.path))
        if not state.ok("deepgram", _bearer(request, "Token")):
            return _unauthorized("Invalid credentials.")
        return JSONResponse({"projects": [{"project_id": "p1", "name": "default"}]})

    async def google_models(request: Request) -> JSONResponse:
        state.seen.append(("google", request.url.path))
        if not state.ok("google", request.headers.get("x-goog-api-key")):
            return JSONResponse({"error": {"code": 400, "status": "INVALID_ARGUMENT"}}, 400)
        return JSONResponse({"models": [{"name": "models/gemini-2.0-flash"}]})

    return Starlette(
        routes=[
            Route("/openai/v1/models", openai_models),
            Route("/cartesia/voices", cartesia_voices),
            Route("/deepgram/v1/projects", deepgram_projects),
            Route("/google/v1beta/models", google_models),
        ]
    )
