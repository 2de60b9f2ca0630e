"""An S3-protocol server for the test session (moto's server mode on 127.0.0.1).

MinIO's server is AGPL-licensed, so it is not the project's default; any S3-compatible store
works with the minio client the code uses. Each test module asks for a bucket of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from minio import Minio
from moto.server import ThreadedMotoServer

from tests.substrate.ports import LOOPBACK

ACCESS_KEY = "test-access"
SECRET_KEY = "test-secret"


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY

    def client(self) -> Minio:
        return Minio(self.endpoint, self.access_key, self.secret_key, secure=False)

    def new_bucket(self, prefix: str = "arkenos") -> str:
        bucket = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.client().make_bucket(bucket)
        return bucket


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    server = ThreadedMotoServer(ip_address=LOOPBACK, port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield S3Server(endpoint=f"{host}:{port}")
    finally:
        server.stop()
