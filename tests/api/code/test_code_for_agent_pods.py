"""A custom agent's own pods reach its code through the API with their projected token: the
build Job downloads a bundle deployed for that agent and uploads its artifact, the serving
pods download that artifact. Every other identity is refused (403), and an upload is stored
only when its bytes hash to the digest it names."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import httpx
import pytest

from arkenos_api.settings import Settings
from arkenos_crds.runtime import (
    AGENT_ARTIFACT_PATH,
    AGENT_BUNDLE_PATH,
    POOL_SERVICE_ACCOUNT,
    WORKLOAD_TOKEN_AUDIENCE,
    custom_agent_service_account,
)
from tests.api.code._support import CUSTOM_SPEC, code_url, put_file, start_code
from tests.api.helpers import Api, Cluster, Person
from tests.substrate.s3 import S3Server

pytestmark = pytest.mark.postgres

#: Above the API's general body limit (2 MiB), which artifact uploads are not held to.
ARTIFACT_LIMIT = 3 * 1024 * 1024


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"artifact_max_bytes": ARTIFACT_LIMIT})


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def bundle_url(ws: str, agent: str, digest: str) -> str:
    return AGENT_BUNDLE_PATH.format(workspace=ws, agent=agent, digest=digest)


def artifact_url(ws: str, agent: str, digest: str) -> str:
    return AGENT_ARTIFACT_PATH.format(workspace=ws, agent=agent, digest=digest)


async def deployed(person: Person, ws: str, agent: str) -> str:
    await start_code(person, ws, agent)
    # A file of its own, so no two agents' bundles are the same bytes.
    assert (await put_file(person, ws, agent, "name.py", f"NAME = {agent!r}\n")).status_code == 200
    response = await person.post(
        code_url(ws, agent, "/deploy"), json={"message": "ship", "spec": CUSTOM_SPEC}
    )
    assert response.status_code == 201, response.text
    digest: str = response.json()["digest"]
    return digest


class Pods:
    """Requests as one workload identity (a ServiceAccount's projected token)."""

    def __init__(self, api: Api, cluster: Cluster, namespace: str, account: str) -> None:
        self.api = api
        token = cluster.authority.issue(namespace, account, (WORKLOAD_TOKEN_AUDIENCE,))
        self.headers = {"Authorization": f"Bearer {token}"}

    async def get(self, url: str) -> httpx.Response:
        async with self.api.client() as client:
            return await client.get(url, headers=self.headers)

    async def put(self, url: str, data: bytes, **headers: str) -> httpx.Response:
        async with self.api.client() as client:
            all_headers = {**self.headers, "Content-Type": "application/gzip", **headers}
            return await client.put(url, content=data, headers=all_headers)


def pods_of(api: Api, cluster: Cluster, ws: str, agent: str) -> Pods:
    return Pods(api, cluster, ws, custom_agent_service_account(agent))


async def test_the_build_reads_only_bundles_deployed_for_its_own_agent(
    api: Api, owner: tuple[Person, str], cluster: Cluster, settings: Any
) -> None:
    person, ws = owner
    shop, other = await deployed(person, ws, "shop"), await deployed(person, ws, "other")
    assert shop != other  # different trees, different bundles
    shop_pods = pods_of(api, cluster, ws, "shop")

    own = await shop_pods.get(bundle_url(ws, "shop", shop))
    assert own.status_code == 200, own.text
    assert own.headers["content-type"] == "application/gzip"
    assert sha(own.content) == shop

    # Another agent's bundle, even asked for under its own agent's path: never deployed here.
    foreign = await shop_pods.get(bundle_url(ws, "shop", other))
    assert foreign.status_code == 403
    assert f"never deployed for VoiceAgent {ws}/shop" in foreign.json()["message"]
    # Another agent's path with its own token: not its agent.
    assert (await shop_pods.get(bundle_url(ws, "other", other))).status_code == 403
    # The shared pool and a same-named agent of another workspace are not this agent either.
    pool = Pods(api, cluster, "arkenos-system", POOL_SERVICE_ACCOUNT)
    assert (await pool.get(bundle_url(ws, "shop", shop))).status_code == 403
    elsewhere = pods_of(api, cluster, await api.workspace(person), "shop")
    refused = await elsewhere.get(bundle_url(ws, "shop", shop))
    assert refused.status_code == 403
    assert "only that agent's own pods may" in refused.json()["message"]

    async with api.client() as anonymous:
        assert (await anonymous.get(bundle_url(ws, "shop", shop))).status_code == 401
    malformed = await shop_pods.get(bundle_url(ws, "shop", "sha256:not-hex"))
    assert malformed.status_code == 422


async def test_artifacts_are_stored_and_read_under_their_own_agent_only(
    api: Api, owner: tuple[Person, str], cluster: Cluster, s3_server: S3Server, settings: Any
) -> None:
    _, ws = owner
    shop_pods, other_pods = pods_of(api, cluster, ws, "shop"), pods_of(api, cluster, ws, "other")
    # Larger than the general request body limit, and binary (NUL bytes included).
    artifact = os.urandom(settings.max_request_body_bytes + 4096) + b"\x00"
    digest = sha(artifact)
    url = artifact_url(ws, "shop", digest)

    assert (await shop_pods.get(url)).status_code == 404
    stored = await shop_pods.put(url, artifact)
    assert stored.status_code == 201, stored.text
    again = await shop_pods.put(url, artifact)
    assert again.status_code == 200  # content-addressed: the same bytes, nothing written
    fetched = await shop_pods.get(url)
    assert fetched.status_code == 200
    assert fetched.content == artifact
    # Kept under the agent's own prefix in the bucket.
    hex_digest = digest.removeprefix("sha256:")
    key = f"artifacts/{ws}/shop/{hex_digest}.tar.gz"
    assert s3_server.client().stat_object(settings.s3_bucket, key).size == len(artifact)

    # Another agent neither reads nor writes it, and its own prefix does not have it.
    assert (await other_pods.get(url)).status_code == 403
    assert (await other_pods.put(url, artifact)).status_code == 403
    assert (await other_pods.get(artifact_url(ws, "other", digest))).status_code == 404


async def test_an_upload_that_does_not_hash_to_its_digest_or_is_too_large_is_refused(
    api: Api, owner: tuple[Person, str], cluster: Cluster
) -> None:
    _, ws = owner
    shop_pods = pods_of(api, cluster, ws, "shop")
    artifact = b"artifact bytes"
    claimed = sha(b"other bytes")
    mismatch = await shop_pods.put(artifact_url(ws, "shop", claimed), artifact)
    assert mismatch.status_code == 422
    assert mismatch.json()["code"] == "digest_mismatch"
    assert (await shop_pods.get(artifact_url(ws, "shop", claimed))).status_code == 404

    huge = b"x" * (ARTIFACT_LIMIT + 1)
    too_large = await shop_pods.put(artifact_url(ws, "shop", sha(huge)), huge)
    assert too_large.status_code == 413
    assert str(ARTIFACT_LIMIT) in too_large.json()["message"]
