"""Property-based requests generated from the committed OpenAPI document, sent to the app
served by uvicorn over the real database and emulated cluster: no request may cause a 5xx.

The run is bounded (a few examples per operation). Requests carry an owner's API token (or a
workload token on the workers' routes) and the real workspace in the path, so they get past
authentication into the handlers instead of stopping at 401/404.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from pydantic import SecretStr
from schemathesis.generation.case import Case

from arkenos_api.app import create_app
from arkenos_api.openapi import DEFAULT_PATH
from arkenos_api.settings import Settings
from arkenos_crds.runtime import INTERNAL_PREFIX, WORKLOAD_TOKEN_AUDIENCE
from tests.api.calls.conftest import livekit, with_livekit
from tests.api.helpers import PASSWORD, Cluster
from tests.doubles.server import serve_asgi
from tests.substrate.s3 import S3Server

EXAMPLES_PER_OPERATION = 8
__all__ = ["livekit"]


@pytest.fixture
def served(
    settings: Settings, cluster: Cluster, livekit: tuple[object, str], s3_server: S3Server
) -> Iterator[dict[str, Any]]:
    # The call routes reach the LiveKit server-API double, as they would a real server, and
    # the code routes object storage (without either they answer 503).
    settings = settings.model_copy(
        update={
            "s3_endpoint": s3_server.endpoint,
            "s3_bucket": s3_server.new_bucket("fuzz"),
            "s3_access_key": SecretStr(s3_server.access_key),
            "s3_secret_key": SecretStr(s3_server.secret_key),
            "s3_secure": False,
        }
    )
    app = create_app(with_livekit(settings, livekit[1]))
    with serve_asgi(app) as server, httpx.Client(base_url=server.url) as client:
        email = "fuzz-owner@example.com"
        signed = client.post(
            "/api/v1/auth/signup", json={"email": email, "password": PASSWORD, "workspace": "fuzz"}
        )
        assert signed.status_code == 202, signed.text
        login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        # Plain http here, so the Secure cookie is sent by hand.
        csrf = {
            "X-CSRF-Token": login.json()["csrfToken"],
            "Cookie": f"arkenos_session={login.cookies['arkenos_session']}",
        }
        token = client.post(
            "/api/v1/workspaces/fuzz/tokens", json={"name": "fuzz", "role": "owner"}, headers=csrf
        ).json()["token"]
        agent = client.post(
            "/api/v1/workspaces/fuzz/agents",
            json={"name": "std", "spec": {"llm": {"baseURL": "http://llm.local/v1"}}},
            headers=csrf,
        )
        assert agent.status_code == 201, agent.text
        code = client.post(
            "/api/v1/workspaces/fuzz/agents/std/code", json={"template": "starter"}, headers=csrf
        )
        assert code.status_code == 201, code.text
        workload = cluster.authority.issue(
            "arkenos-system", "arkenos-worker", (WORKLOAD_TOKEN_AUDIENCE,)
        )
        yield {"url": server.url, "token": token, "workload": workload}


def test_no_request_causes_a_server_error(served: dict[str, Any]) -> None:
    schema = schemathesis.openapi.from_dict(json.loads(DEFAULT_PATH.read_text()))
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20

    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def exercise(case: Case) -> None:
            if "workspace" in (case.path_parameters or {}):
                case.path_parameters["workspace"] = "fuzz"  # type: ignore[index]
            internal = case.path.startswith(INTERNAL_PREFIX)
            token = served["workload"] if internal else served["token"]
            response = case.call(
                base_url=served["url"], headers={"Authorization": f"Bearer {token}"}, timeout=30
            )
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} -> {response.status_code}: "
                    f"{response.text[:300]}"
                )

        exercise()
    assert failures == []
