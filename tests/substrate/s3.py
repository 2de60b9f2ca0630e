"""An S3-compatible server for the test session: versitygw (Apache-2.0) from the local stack,
serving a temporary folder on 127.0.0.1. Each test module asks for a bucket of its own."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from minio import Minio

from arkenos_devstack.objectstore import ObjectStore


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str

    def client(self) -> Minio:
        return Minio(self.endpoint, self.access_key, self.secret_key, secure=False)

    def new_bucket(self, prefix: str = "arkenos") -> str:
        bucket = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.client().make_bucket(bucket)
        return bucket


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    with tempfile.TemporaryDirectory(prefix="arkenos-s3-") as base:
        store = ObjectStore(Path(base))
        address = store.start()
        try:
            yield S3Server(address.endpoint, address.access_key, address.secret_key)
        finally:
            store.stop()
