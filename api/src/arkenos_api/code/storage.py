"""Object storage of code (S3 API through the minio client): file blobs named by their
sha256, and bundles where the build command looks for them (``bundles/<hex>.tar.gz``).

Every object is content-addressed, so writing one that exists is a no-op and nothing is ever
overwritten with different bytes. The minio client blocks, so each call runs in a thread.
"""

from __future__ import annotations

import asyncio
import hashlib
import io

from minio import Minio
from minio.error import S3Error

from arkenos_api.settings import Settings

_MISSING = {"NoSuchKey", "NoSuchObject", "NoSuchBucket"}


class StorageError(RuntimeError):
    """Object storage failed; the message names the object, never a credential."""


def blob_object(hex_digest: str) -> str:
    return f"code/blobs/{hex_digest}"


def bundle_object(hex_digest: str) -> str:
    """Where ``arkenos-build`` reads a bundle (arkenos_agent_runtime.build.storage)."""
    return f"bundles/{hex_digest}.tar.gz"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class CodeStore:
    """The bucket that holds blobs and bundles."""

    def __init__(self, client: Minio, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

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
        return cls(client, settings.s3_bucket)

    async def put(self, name: str, data: bytes, content_type: str) -> None:
        """Store ``data`` under ``name`` unless an object of that (content-derived) name exists."""
        if await self.exists(name):
            return
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

    async def exists(self, name: str) -> bool:
        try:
            await asyncio.to_thread(self.client.stat_object, self.bucket, name)
        except S3Error as exc:
            if exc.code in _MISSING:
                return False
            raise StorageError(f"looking up {name} failed: {exc.code}") from exc
        return True

    async def put_blob(self, data: bytes) -> str:
        hex_digest = sha256_hex(data)
        await self.put(blob_object(hex_digest), data, "text/plain; charset=utf-8")
        return hex_digest

    async def get_blob(self, hex_digest: str) -> bytes:
        data = await self.get(blob_object(hex_digest))
        if sha256_hex(data) != hex_digest:
            raise StorageError(f"blob {hex_digest} was changed in storage")
        return data

    async def get_blobs(self, hex_digests: list[str]) -> dict[str, bytes]:
        unique = sorted(set(hex_digests))
        contents = await asyncio.gather(*(self.get_blob(d) for d in unique))
        return dict(zip(unique, contents, strict=True))
