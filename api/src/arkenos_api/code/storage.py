"""Object storage of code (S3 API through the minio client): file blobs named by their
sha256, bundles (``bundles/<hex>.tar.gz``) and the artifacts built from them, kept per agent
(``artifacts/<namespace>/<agent>/<hex>.tar.gz``). Build and serving pods never reach the
bucket: the API streams these objects to and from them (:mod:`arkenos_api.internal.artifacts`).

Every object is content-addressed, so writing one again writes the same bytes and nothing is
ever overwritten with different ones; for the same reason blobs can be kept in memory without
ever going stale (a bounded cache per process, by bytes). The minio client blocks, so each call
runs in a thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Any, BinaryIO

from minio import Minio
from minio.error import S3Error

from arkenos_api.core.cache import BoundedCache
from arkenos_api.settings import Settings

_MISSING = {"NoSuchKey", "NoSuchObject", "NoSuchBucket"}


class StorageError(RuntimeError):
    """Object storage failed; the message names the object, never a credential."""


def blob_object(hex_digest: str) -> str:
    return f"code/blobs/{hex_digest}"


def bundle_object(hex_digest: str) -> str:
    """Where ``arkenos-build`` reads a bundle (arkenos_agent_runtime.build.storage)."""
    return f"bundles/{hex_digest}.tar.gz"


def artifact_object(namespace: str, agent: str, hex_digest: str) -> str:
    """An agent's artifact: under the agent's own prefix, so no other agent's pods can name it
    (artifacts are content-addressed; two agents building the same code may build one)."""
    return f"artifacts/{namespace}/{agent}/{hex_digest}.tar.gz"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobCache:
    """Least-recently-used blobs up to ``max_bytes`` in all."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._blobs: OrderedDict[str, bytes] = OrderedDict()

    def get(self, hex_digest: str) -> bytes | None:
        data = self._blobs.get(hex_digest)
        if data is not None:
            self._blobs.move_to_end(hex_digest)
        return data

    def put(self, hex_digest: str, data: bytes) -> None:
        if len(data) > self.max_bytes // 16 or hex_digest in self._blobs:
            return
        self._blobs[hex_digest] = data
        self.bytes += len(data)
        while self.bytes > self.max_bytes:
            _, dropped = self._blobs.popitem(last=False)
            self.bytes -= len(dropped)


class ObjectReader:
    """An object being read, in chunks, each read in a thread; ``close()`` when done."""

    def __init__(self, response: Any, size: int | None) -> None:
        self._response = response
        self.size = size

    async def chunks(self, chunk_bytes: int = 1 << 20) -> AsyncIterator[bytes]:
        try:
            while chunk := await asyncio.to_thread(self._response.read, chunk_bytes):
                yield chunk
        finally:
            self.close()

    def close(self) -> None:
        self._response.close()
        self._response.release_conn()


class CodeStore:
    """The bucket that holds blobs and bundles."""

    def __init__(self, client: Minio, bucket: str, cache_bytes: int = 64 * 1024 * 1024) -> None:
        self.client = client
        self.bucket = bucket
        self.cache = BlobCache(cache_bytes)
        #: Digests of Python files known to parse (the deploy check skips them).
        self.parsed: BoundedCache[str, bool] = BoundedCache(100_000)

    @classmethod
    def from_settings(cls, settings: Settings) -> CodeStore | None:
        """None when object storage is not configured (the code routes then answer 503)."""
        if settings.s3_endpoint is None or settings.s3_bucket is None:
            return None
        client = Minio(
            settings.s3_endpoint,
            access_key=settings.s3_access_key.get_secret_value()
            if settings.s3_access_key
            else None,
            secret_key=settings.s3_secret_key.get_secret_value()
            if settings.s3_secret_key
            else None,
            secure=settings.s3_secure,
            region=settings.s3_region,
        )
        return cls(client, settings.s3_bucket, settings.code_cache_bytes)

    async def put(self, name: str, data: bytes, content_type: str) -> None:
        """Store ``data`` under ``name`` unless an object of that (content-derived) name exists."""
        if await self.exists(name):
            return
        await self._write(name, data, content_type)

    async def _write(self, name: str, data: bytes, content_type: str) -> None:
        try:
            await asyncio.to_thread(
                self.client.put_object,
                self.bucket,
                name,
                io.BytesIO(data),
                len(data),
                content_type,
            )
        except S3Error as exc:
            raise StorageError(f"storing {name} failed: {exc.code}") from exc

    async def get(self, name: str) -> bytes:
        def read() -> bytes:
            response = self.client.get_object(self.bucket, name)
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

        try:
            return await asyncio.to_thread(read)
        except S3Error as exc:
            raise StorageError(f"reading {name} failed: {exc.code}") from exc

    async def open(self, name: str) -> ObjectReader | None:
        """``name`` opened for reading, or None when it does not exist."""

        def start() -> ObjectReader:
            response = self.client.get_object(self.bucket, name)
            length = response.headers.get("content-length")
            return ObjectReader(response, int(length) if length and length.isdigit() else None)

        try:
            return await asyncio.to_thread(start)
        except S3Error as exc:
            if exc.code in _MISSING:
                return None
            raise StorageError(f"reading {name} failed: {exc.code}") from exc

    async def put_file(self, name: str, data: BinaryIO, length: int, content_type: str) -> None:
        """Store ``length`` bytes read from ``data`` (a file positioned at its start)."""
        try:
            await asyncio.to_thread(
                self.client.put_object, self.bucket, name, data, length, content_type
            )
        except S3Error as exc:
            raise StorageError(f"storing {name} failed: {exc.code}") from exc

    async def exists(self, name: str) -> bool:
        try:
            await asyncio.to_thread(self.client.stat_object, self.bucket, name)
        except S3Error as exc:
            if exc.code in _MISSING:
                return False
            raise StorageError(f"looking up {name} failed: {exc.code}") from exc
        return True

    async def put_blob(self, data: bytes) -> str:
        """Store a file's content; one write, or none when this process stored it already."""
        hex_digest = sha256_hex(data)
        if self.cache.get(hex_digest) is None:
            await self._write(blob_object(hex_digest), data, "text/plain; charset=utf-8")
            self.cache.put(hex_digest, data)
        return hex_digest

    async def get_blob(self, hex_digest: str) -> bytes:
        cached = self.cache.get(hex_digest)
        if cached is not None:
            return cached
        data = await self.get(blob_object(hex_digest))
        if sha256_hex(data) != hex_digest:
            raise StorageError(f"blob {hex_digest} was changed in storage")
        self.cache.put(hex_digest, data)
        return data

    async def get_blobs(self, hex_digests: list[str]) -> dict[str, bytes]:
        unique = sorted(set(hex_digests))
        contents = await asyncio.gather(*(self.get_blob(d) for d in unique))
        return dict(zip(unique, contents, strict=True))
