"""The agent's code through the platform: the build downloads its bundle and uploads the
artifact, the fetch container downloads the artifact, all from the Arkenos API with the pod's
projected ServiceAccount token. No bucket key reaches the pod; the API streams the objects and
lets the agent's own pods reach only the agent's own code. Objects are named by their sha256,
and every download is checked against it here too."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from arkenos_agent_runtime.api_client import TokenSource
from arkenos_agent_runtime.build.errors import BuildError
from arkenos_agent_runtime.settings import CodeStoreSettings, SettingsError, load_settings
from arkenos_crds.runtime import AGENT_ARTIFACT_PATH, AGENT_BUNDLE_PATH

DIGEST = re.compile(r"^sha256:([a-f0-9]{64})$")
#: Bundles and artifacts can be large and the API streams them: no total deadline, only
#: between bytes.
TIMEOUT = httpx.Timeout(30.0, read=120.0, write=120.0)
CHUNK_BYTES = 1024 * 1024


def digest_hex(digest: str) -> str:
    match = DIGEST.match(digest)
    if match is None:
        raise BuildError(f"{digest!r} is not a sha256 digest (sha256:<64 hex digits>)")
    return match.group(1)


def file_sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


@dataclass(frozen=True)
class AgentCodeStore:
    """The agent's bundles and artifacts behind the API. ``transport``: tests only."""

    api_url: str
    tokens: TokenSource
    workspace: str
    agent: str
    transport: httpx.AsyncBaseTransport | None = None

    @classmethod
    def from_env(cls) -> AgentCodeStore:
        try:
            settings = load_settings(CodeStoreSettings)
        except SettingsError as exc:
            raise BuildError(f"the platform API is not configured: {exc}") from None
        return cls(
            settings.api_url.rstrip("/"),
            TokenSource(settings.token_file),
            settings.workspace,
            settings.agent,
        )

    def _path(self, template: str, digest: str) -> str:
        return template.format(workspace=self.workspace, agent=self.agent, digest=digest)

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.api_url, timeout=TIMEOUT, transport=self.transport)

    async def _headers(self) -> dict[str, str]:
        try:
            token = await self.tokens.get(refresh=True)
        except OSError as exc:
            raise BuildError(f"the pod's workload token cannot be read: {exc}") from exc
        return {"Authorization": f"Bearer {token}"}

    async def download_bundle(self, digest: str, dest: Path) -> None:
        what = f"bundle {digest}"
        await self._download(self._path(AGENT_BUNDLE_PATH, digest), what, digest, dest)

    async def download_artifact(self, digest: str, dest: Path) -> None:
        what = f"artifact {digest}"
        await self._download(self._path(AGENT_ARTIFACT_PATH, digest), what, digest, dest)

    async def _download(self, path: str, what: str, digest: str, dest: Path) -> None:
        """Download ``path`` to ``dest`` and check its sha256 against ``digest``."""
        headers = await self._headers()
        try:
            async with (
                self._client() as client,
                client.stream("GET", path, headers=headers) as response,
            ):
                if response.status_code != 200:
                    await response.aread()
                    raise BuildError(_refusal(what, "downloading", response))
                handle = await asyncio.to_thread(dest.open, "wb")
                try:
                    async for chunk in response.aiter_bytes(CHUNK_BYTES):
                        await asyncio.to_thread(handle.write, chunk)
                finally:
                    await asyncio.to_thread(handle.close)
        except httpx.HTTPError as exc:
            raise BuildError(f"downloading {what} failed: {type(exc).__name__}: {exc}") from exc
        actual = await asyncio.to_thread(file_sha256, dest)
        if actual != digest_hex(digest):
            raise BuildError(
                f"digest mismatch: {what} has sha256:{actual}; "
                "the object was changed or corrupted after it was stored"
            )

    async def upload_artifact(self, digest: str, path: Path) -> None:
        what = f"artifact {digest}"
        headers = {**await self._headers(), "Content-Type": "application/gzip"}
        headers["Content-Length"] = str((await asyncio.to_thread(path.stat)).st_size)
        try:
            async with self._client() as client:
                response = await client.put(
                    self._path(AGENT_ARTIFACT_PATH, digest), content=_read(path), headers=headers
                )
        except httpx.HTTPError as exc:
            raise BuildError(f"uploading {what} failed: {type(exc).__name__}: {exc}") from exc
        if response.status_code not in (200, 201):
            raise BuildError(_refusal(what, "uploading", response))


async def _read(path: Path) -> AsyncIterator[bytes]:
    handle = await asyncio.to_thread(path.open, "rb")
    try:
        while chunk := await asyncio.to_thread(handle.read, CHUNK_BYTES):
            yield chunk
    finally:
        await asyncio.to_thread(handle.close)


def _refusal(what: str, doing: str, response: httpx.Response) -> str:
    try:
        body = response.json()
        detail = str(body.get("message") or body) if isinstance(body, dict) else str(body)
    except ValueError:
        detail = response.text
    return f"{doing} {what} failed with HTTP {response.status_code}: {detail[:500]}"
