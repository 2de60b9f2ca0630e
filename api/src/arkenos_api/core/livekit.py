"""The LiveKit server API client the API uses for calls (rooms, dispatches, SIP participants),
built once in the lifespan over one aiohttp session, and the verifier of LiveKit's webhooks.

Absent when the platform has no LiveKit configured; routes that need it answer 503 then.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
from livekit import api as lk

from arkenos_api.core.errors import ApiError
from arkenos_api.settings import Settings


@dataclass
class LiveKit:
    """One configured LiveKit server: its API client, its key, and the URL browsers join."""

    client: lk.LiveKitAPI
    api_key: str
    api_secret: str
    public_url: str
    session: aiohttp.ClientSession

    def webhook_receiver(self) -> lk.WebhookReceiver:
        return lk.WebhookReceiver(lk.TokenVerifier(self.api_key, self.api_secret))

    async def close(self) -> None:
        await self.client.aclose()
        await self.session.close()


def create_livekit(settings: Settings) -> LiveKit | None:
    """The LiveKit client, or None when the settings name no LiveKit server."""
    if not (settings.livekit_url and settings.livekit_api_key and settings.livekit_api_secret):
        return None
    secret = settings.livekit_api_secret.get_secret_value()
    session = aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=settings.provider_timeout_seconds)
    )
    client = lk.LiveKitAPI(settings.livekit_url, settings.livekit_api_key, secret, session=session)
    public = settings.livekit_public_url or settings.livekit_url
    return LiveKit(client, settings.livekit_api_key, secret, public, session)


def livekit_unavailable() -> ApiError:
    return ApiError(
        503,
        "livekit_not_configured",
        "this platform has no LiveKit server configured (ARKENOS_LIVEKIT_URL, "
        "ARKENOS_LIVEKIT_API_KEY, ARKENOS_LIVEKIT_API_SECRET)",
    )


def livekit_failed(what: str, error: lk.TwirpError | Exception) -> ApiError:
    """LiveKit refused or failed: a 502 that carries LiveKit's own message."""
    message = getattr(error, "message", None) or str(error)
    return ApiError(502, "livekit_error", f"LiveKit could not {what}: {message}")
