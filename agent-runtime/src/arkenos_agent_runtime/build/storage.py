"""Object storage (S3 API, MinIO in the chart) for bundles and artifacts, via the minio
client; blocking calls run in a thread. Objects are named by their sha256."""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from minio import Minio
from minio.error import S3Error

from arkenos_agent_runtime.build.errors import BuildError
from arkenos_agent_runtime.settings import SettingsError, StorageSettings, load_settings

DIGEST = re.compile(r"^sha256:([a-f0-9]{64})$")


def digest_hex(digest: str) -> str:
    match = DIGEST.match(digest)
    if match is None:
        raise BuildError(f"{digest!r} is not a sha256 digest (sha256:<64 hex digits>)")
    return match.group(1)


def bundle_object(hex_digest: str) -> str:
    return f"bundles/{hex_digest}.tar.gz"


def artifact_object(hex_digest: str) -> str:
    return f"artifacts/{hex_digest}.tar.gz"


def file_sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


@dataclass(frozen=True)
class ObjectStore:
    client: Minio
    bucket: str

    @classmethod
    def from_settings(cls, settings: StorageSettings) -> ObjectStore:
        client = Minio(
            settings.s3_endpoint,
            access_key=settings.s3_access_key.get_secret_value(),
            secret_key=settings.s3_secret_key.get_secret_value(),
            secure=settings.s3_secure,
        )
        return cls(client, settings.s3_bucket)

    @classmethod
    def from_env(cls) -> ObjectStore:
        try:
            return cls.from_settings(load_settings(StorageSettings))
        except SettingsError as exc:
            raise BuildError(f"object storage is not configured: {exc}") from None

    async def download_verified(self, name: str, hex_digest: str, dest: Path) -> None:
        """Download ``name`` to ``dest`` and check its sha256 against ``hex_digest``."""
        try:
            await asyncio.to_thread(self.client.fget_object, self.bucket, name, str(dest))
        except S3Error as exc:
            if exc.code in {"NoSuchKey", "NoSuchBucket"}:
                raise BuildError(f"{name} is not in bucket {self.bucket}") from exc
            raise BuildError(f"downloading {name} failed: {exc.code}: {exc.message}") from exc
        actual = await asyncio.to_thread(file_sha256, dest)
        if actual != hex_digest:
            raise BuildError(
                f"digest mismatch: {name} has sha256:{actual}, expected sha256:{hex_digest}; "
                "the object was changed or corrupted after it was stored"
            )

    async def upload(self, name: str, path: Path) -> None:
        await asyncio.to_thread(
            self.client.fput_object, self.bucket, name, str(path), "application/gzip"
        )
