"""OpenAI SDK clients for one call's STT, LLM and TTS, sharing the worker's TLS context.

The openai plugin would build three clients per call, each loading the CA bundle (~30 ms
apiece, most of a job's start time). One client per (base URL, key) on the worker's
already-loaded SSL context keeps job start short; the settings mirror the plugin's own.
"""

from __future__ import annotations

import ssl

import openai


class OpenAIClients:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self._tls = tls
        self._clients: dict[tuple[str | None, str], openai.AsyncClient] = {}

    def get(self, base_url: str | None, api_key: str) -> openai.AsyncClient:
        key = (base_url, api_key)
        if key not in self._clients:
            self._clients[key] = openai.AsyncClient(
                api_key=api_key,
                base_url=base_url,
                max_retries=0,
                http_client=openai.DefaultAsyncHttpxClient(
                    verify=self._tls if self._tls is not None else True,
                    timeout=openai.Timeout(connect=15.0, read=5.0, write=5.0, pool=5.0),
                    follow_redirects=True,
                ),
            )
        return self._clients[key]

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.close()
        self._clients.clear()
