"""``arkenos-build`` through the real API (served over HTTP, with its PostgreSQL and object
storage): the build downloads the agent's bundle and uploads its artifact, the fetch downloads
the artifact, all with the pod's workload token (issued by the emulated cluster) and no bucket
key in their environment. pip installs from a local directory of wheels with no index."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from minio import Minio
from pydantic import SecretStr

from arkenos_api.app import create_app
from arkenos_api.settings import Settings
from arkenos_crds.runtime import WORKLOAD_TOKEN_AUDIENCE, custom_agent_service_account
from tests.api.helpers import Api, Cluster
from tests.doubles.server import serve_asgi
from tests.integration.build_support import make_bundle, make_wheel, record_bundle
from tests.substrate.s3 import S3Server

pytestmark = [pytest.mark.postgres, pytest.mark.k8s]

AGENT = """
from greetlib import GREETING


async def entrypoint(ctx):
    return GREETING
"""


@pytest.fixture
def settings(settings: Settings, s3_server: S3Server) -> Settings:
    return settings.model_copy(
        update={
            "s3_endpoint": s3_server.endpoint,
            "s3_bucket": s3_server.new_bucket("build"),
            "s3_access_key": SecretStr(s3_server.access_key),
            "s3_secret_key": SecretStr(s3_server.secret_key),
            "s3_secure": False,
        }
    )


@pytest.fixture
def served_api(settings: Settings) -> Iterator[str]:
    with serve_asgi(create_app(settings)) as served:
        yield served.url


@dataclass
class Agent:
    """A custom agent's pod as the build sees it: its workspace, name and token."""

    workspace: str
    name: str
    env: dict[str, str]
    api: Api
    minio: Minio
    bucket: str

    cluster: Cluster

    def as_agent(self, name: str) -> Agent:
        """Another agent of the same workspace, with its own pod token."""
        token = self.cluster.authority.issue(
            self.workspace, custom_agent_service_account(name), (WORKLOAD_TOKEN_AUDIENCE,)
        )
        token_file = Path(self.env["ARKENOS_TOKEN_FILE"]).with_name(f"token-{name}")
        token_file.write_text(token)
        env = {**self.env, "ARKENOS_AGENT": name, "ARKENOS_TOKEN_FILE": str(token_file)}
        return Agent(self.workspace, name, env, self.api, self.minio, self.bucket, self.cluster)

    def claiming(self, name: str) -> Agent:
        """This agent's pod with another agent's name in its environment."""
        env = {**self.env, "ARKENOS_AGENT": name}
        return Agent(self.workspace, name, env, self.api, self.minio, self.bucket, self.cluster)

    async def deployed(self, data: bytes, *, name_digest: str | None = None) -> str:
        return await record_bundle(
            self.api.app.state.sessionmaker,
            self.minio,
            self.bucket,
            self.workspace,
            self.name,
            data,
            name_digest=name_digest,
        )


@pytest.fixture
async def agent(
    api: Api,
    cluster: Cluster,
    served_api: str,
    settings: Settings,
    s3_server: S3Server,
    tmp_path: Path,
) -> Agent:
    workspace = await api.workspace(await api.admin())
    name = "orders"
    token = cluster.authority.issue(
        workspace, custom_agent_service_account(name), (WORKLOAD_TOKEN_AUDIENCE,)
    )
    token_file = tmp_path / "token"
    token_file.write_text(token)
    env = {
        "ARKENOS_API_URL": served_api,
        "ARKENOS_TOKEN_FILE": str(token_file),
        "ARKENOS_WORKSPACE": workspace,
        "ARKENOS_AGENT": name,
    }
    assert settings.s3_bucket is not None
    return Agent(workspace, name, env, api, s3_server.client(), settings.s3_bucket, cluster)


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("wheels")
    make_wheel(directory)
    return directory


def run_build(agent: Agent, wheels: Path, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    log = tmp_path / "termination-log"
    # The pod's environment: no ARKENOS_S3_* (nor the API's own settings) reach the build.
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("ARKENOS_")}
    env = {
        **inherited,
        **agent.env,
        "ARKENOS_PIP_NO_INDEX": "true",
        "ARKENOS_PIP_FIND_LINKS": str(wheels),
    }
    result = subprocess.run(
        [sys.executable, "-m", "arkenos_agent_runtime.build", *args, "--termination-log", str(log)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    return result.returncode, result.stderr, log.read_text() if log.exists() else ""


async def test_good_bundle_builds_an_artifact_that_fetch_unpacks(
    agent: Agent, wheels: Path, tmp_path: Path
) -> None:
    digest = await agent.deployed(
        make_bundle({"agent.py": AGENT, "requirements.txt": "greetlib==1.0\n"})
    )
    code, stderr, log = run_build(
        agent, wheels, tmp_path, "build", "--digest", digest, "--entrypoint", "agent"
    )
    assert (code, stderr) == (0, "")
    artifact = json.loads(log)["artifactDigest"]
    hex_digest = artifact.removeprefix("sha256:")
    # Kept under the agent's own prefix, where only its pods can reach it through the API.
    key = f"artifacts/{agent.workspace}/{agent.name}/{hex_digest}.tar.gz"
    stored = agent.minio.get_object(agent.bucket, key).read()
    assert hashlib.sha256(stored).hexdigest() == hex_digest

    dest = tmp_path / "artifact"
    code, stderr, _ = run_build(
        agent, wheels, tmp_path, "fetch", "--artifact-digest", artifact, "--dest", str(dest)
    )
    assert (code, stderr) == (0, "")
    assert (dest / "app" / "agent.py").read_text() == AGENT
    assert (dest / "site-packages" / "greetlib" / "__init__.py").is_file()


async def test_same_bundle_gives_the_same_artifact_digest(
    agent: Agent, wheels: Path, tmp_path: Path
) -> None:
    digest = await agent.deployed(
        make_bundle({"agent.py": AGENT, "requirements.txt": "greetlib\n"})
    )
    first = run_build(agent, wheels, tmp_path, "build", "--digest", digest, "--entrypoint", "agent")
    second = run_build(
        agent, wheels, tmp_path, "build", "--digest", digest, "--entrypoint", "agent"
    )
    assert first[0] == second[0] == 0
    assert json.loads(first[2]) == json.loads(second[2])


async def test_hash_checked_requirements_install_and_a_wrong_hash_fails(
    agent: Agent, wheels: Path, tmp_path: Path
) -> None:
    wheel_hash = hashlib.sha256((wheels / "greetlib-1.0-py3-none-any.whl").read_bytes()).hexdigest()
    good = f"greetlib==1.0 --hash=sha256:{wheel_hash}\n"
    digest = await agent.deployed(make_bundle({"agent.py": AGENT, "requirements.txt": good}))
    code, stderr, _ = run_build(
        agent, wheels, tmp_path, "build", "--digest", digest, "--entrypoint", "agent"
    )
    assert (code, stderr) == (0, "")

    bad = f"greetlib==1.0 --hash=sha256:{'0' * 64}\n"
    digest = await agent.deployed(make_bundle({"agent.py": AGENT, "requirements.txt": bad}))
    code, stderr, log = run_build(
        agent, wheels, tmp_path, "build", "--digest", digest, "--entrypoint", "agent"
    )
    assert code == 1
    assert "requirements could not be installed" in log
    assert "HASHES" in log.upper()
    assert stderr.strip() == log


@pytest.mark.parametrize(
    ("files", "entrypoint", "expected"),
    [
        (
            {"agent.py": "async def entrypoint(ctx):\n    return (\n\nx = 1\n"},
            "agent",
            "syntax error in agent.py:2",
        ),
        (
            {"pkg/__init__.py": "", "pkg/bot.py": "def broken(:\n    pass\n"},
            "pkg.bot",
            "syntax error in pkg/bot.py:1",
        ),
        ({"agent.py": "X = 1\n"}, "agent", "defines no `entrypoint` function"),
        ({"agent.py": "X = 1\n"}, "agent:missing", "has no attribute 'missing'"),
        ({"other.py": "X = 1\n"}, "agent", "the entrypoint module agent was not found"),
        (
            {"agent.py": AGENT, "requirements.txt": "nosuchpackage==9.9\n"},
            "agent",
            "No matching distribution found for nosuchpackage==9.9",
        ),
        ({"agent.py": AGENT}, "agent", "module 'greetlib' is not installed"),
    ],
)
async def test_broken_bundles_fail_with_a_clear_message(
    agent: Agent,
    wheels: Path,
    tmp_path: Path,
    files: dict[str, str],
    entrypoint: str,
    expected: str,
) -> None:
    digest = await agent.deployed(make_bundle(files))
    code, stderr, log = run_build(
        agent, wheels, tmp_path, "build", "--digest", digest, "--entrypoint", entrypoint
    )
    assert code == 1
    assert expected in log
    assert log.startswith("build failed: ")
    assert stderr.strip() == log
    assert "\n" not in log


async def test_digest_mismatch_is_refused(agent: Agent, wheels: Path, tmp_path: Path) -> None:
    claimed = "ab" * 32
    digest = await agent.deployed(make_bundle({"agent.py": AGENT}), name_digest=claimed)
    code, _, log = run_build(
        agent, wheels, tmp_path, "build", "--digest", digest, "--entrypoint", "agent"
    )
    assert code == 1
    assert f"digest mismatch: bundle sha256:{claimed} has sha256:" in log


async def test_missing_bundle_is_reported(agent: Agent, wheels: Path, tmp_path: Path) -> None:
    missing = "sha256:" + "cd" * 32
    bundle = make_bundle({"agent.py": AGENT})
    await agent.deployed(bundle, name_digest="cd" * 32)
    agent.minio.remove_object(agent.bucket, f"bundles/{'cd' * 32}.tar.gz")
    code, _, log = run_build(
        agent, wheels, tmp_path, "build", "--digest", missing, "--entrypoint", "agent"
    )
    assert code == 1
    assert f"HTTP 404: bundle {missing} is not in object storage" in log


async def test_a_bundle_not_deployed_for_the_agent_is_refused(
    agent: Agent, wheels: Path, tmp_path: Path
) -> None:
    """A digest copied from another agent's VoiceAgent: the build may not read it."""
    other = make_bundle({"agent.py": AGENT, "other.py": "X = 1\n"})
    digest = "sha256:" + hashlib.sha256(other).hexdigest()
    agent.minio.put_object(
        agent.bucket, f"bundles/{digest[7:]}.tar.gz", io.BytesIO(other), len(other)
    )
    code, _, log = run_build(
        agent, wheels, tmp_path, "build", "--digest", digest, "--entrypoint", "agent"
    )
    assert code == 1
    assert f"HTTP 403: bundle {digest} was never deployed for VoiceAgent" in log


async def test_the_fetch_reads_no_other_agents_artifact(
    agent: Agent, wheels: Path, tmp_path: Path
) -> None:
    digest = await agent.deployed(
        make_bundle({"agent.py": AGENT, "requirements.txt": "greetlib\n"})
    )
    code, _, log = run_build(
        agent, wheels, tmp_path, "build", "--digest", digest, "--entrypoint", "agent"
    )
    assert code == 0, log
    artifact = json.loads(log)["artifactDigest"]
    # The same workspace's other agent, with its own token, asks for that artifact.
    other = agent.as_agent("billing")
    dest = tmp_path / "stolen"
    code, _, log = run_build(
        other, wheels, tmp_path, "fetch", "--artifact-digest", artifact, "--dest", str(dest)
    )
    assert code == 1
    assert f"HTTP 404: artifact {artifact} of VoiceAgent {agent.workspace}/billing" in log
    # And naming the first agent in its environment does not help: its token is not that agent's.
    code, _, log = run_build(
        other.claiming(agent.name),
        wheels,
        tmp_path,
        "fetch",
        "--artifact-digest",
        artifact,
        "--dest",
        str(dest),
    )
    assert code == 1
    assert "HTTP 403" in log
    assert not dest.exists() or not any(dest.iterdir())


async def test_unsafe_archive_paths_are_refused(agent: Agent, wheels: Path, tmp_path: Path) -> None:
    digest = await agent.deployed(make_bundle({"../escape.py": "x = 1\n"}))
    code, _, log = run_build(
        agent, wheels, tmp_path, "build", "--digest", digest, "--entrypoint", "agent"
    )
    assert code == 1
    assert "could not be unpacked" in log
    assert not (tmp_path / "escape.py").exists()
