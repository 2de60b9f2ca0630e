"""The code tests' app has object storage: a bucket of its own on the session's S3 server."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from arkenos_api.settings import Settings
from tests.substrate.s3 import S3Server


@pytest.fixture(scope="module")
def code_bucket(s3_server: S3Server) -> str:
    return s3_server.new_bucket("code")


@pytest.fixture
def settings(settings: Settings, s3_server: S3Server, code_bucket: str) -> Settings:
    return settings.model_copy(
        update={
            "s3_endpoint": s3_server.endpoint,
            "s3_bucket": code_bucket,
            "s3_access_key": SecretStr(s3_server.access_key),
            "s3_secret_key": SecretStr(s3_server.secret_key),
            "s3_secure": False,
        }
    )
