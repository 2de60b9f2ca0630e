"""The "test key" check: one cheap authenticated GET at each provider (base URLs are
settings, so tests point them at a local double)."""

from __future__ import annotations

from base64 import b64encode
from dataclasses import dataclass
from urllib.parse import quote

import httpx

from arkenos_api.settings import Settings
from arkenos_crds.runtime import Provider


@dataclass(frozen=True)
class KeyCheck:
    ok: bool
    status: int | None
    message: str


def check_request(provider: Provider, key: str, settings: Settings) -> httpx.Request:
    """The one request that checks ``key`` at ``provider``."""
    match provider:
        case Provider.OPENAI:
            return httpx.Request(
                "GET",
                f"{settings.openai_base_url}/models",
                headers={"Authorization": f"Bearer {key}"},
            )
        case Provider.CARTESIA:
            return httpx.Request(
                "GET",
                f"{settings.cartesia_base_url}/voices",
                headers={"X-API-Key": key, "Cartesia-Version": "2024-06-10"},
            )
        case Provider.DEEPGRAM:
            return httpx.Request(
                "GET",
                f"{settings.deepgram_base_url}/projects",
                headers={"Authorization": f"Token {key}"},
            )
        case Provider.GOOGLE:
            return httpx.Request(
                "GET", f"{settings.google_base_url}/models", headers={"x-goog-api-key": key}
            )
        case Provider.TWILIO:
            # Twilio keys are stored as "<Account SID>:<Auth Token>".
            sid, _, token = key.partition(":")
            return httpx.Request(
                "GET",
                # The SID is typed by a person: quoted, it cannot reach another path.
                f"{settings.twilio_base_url}/Accounts/{quote(sid, safe='')}.json",
                headers={"Authorization": "Basic " + b64encode(f"{sid}:{token}".encode()).decode()},
            )
    raise ValueError(f"no key check for {provider}")  # pragma: no cover - exhaustive


async def check_key(
    http: httpx.AsyncClient, settings: Settings, provider: Provider, key: str
) -> KeyCheck:
    request = check_request(provider, key, settings)
    try:
        response = await http.send(request)
    except httpx.HTTPError as exc:
        return KeyCheck(False, None, f"could not reach {provider}: {type(exc).__name__}")
    if response.is_success:
        return KeyCheck(True, response.status_code, f"{provider} accepted the key")
    if response.status_code in (401, 403):
        said = _twilio_says(response) if provider is Provider.TWILIO else None
        message = f"{provider} rejected the key" + (f": {said}" if said else "")
        return KeyCheck(False, response.status_code, message)
    return KeyCheck(
        False, response.status_code, f"{provider} answered {response.status_code}; try again"
    )


def _twilio_says(response: httpx.Response) -> str | None:
    """Twilio's own words for a refusal: its ``detail`` sentence (or ``message``) and error code.
    Twilio's refusals are fixed sentences that never echo the credentials; other providers'
    (OpenAI's names part of the key) are not passed on."""
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    text = body.get("detail") or body.get("message")
    if not isinstance(text, str) or not text:
        return None
    code = body.get("code")
    return f"{text[:200]} (Twilio error {code})" if isinstance(code, int) else text[:200]
