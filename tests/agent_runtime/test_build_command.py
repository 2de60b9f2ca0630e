"""``arkenos-build`` against a real S3-protocol server (moto's server mode) with the real
minio client; pip installs from a local directory of wheels with no index (no network)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from minio import Minio

from tests.agent_runtime.build_fixtures import make_bundle, make_wheel, upload_bundle
from tests.substrate.s3 import S3Server

BUCKET = "arkenos"
AGENT = """
from greetlib import GREETING


async def entrypoint(ctx):
    return GREETING
"""


@pytest.fixture(scope="module")
def s3(s3_server: S3Server) -> dict[str, str]:
    """The build's storage settings: a bucket of this module's on the session's S3 server."""
    client = s3_server.client()
    if not client.bucket_exists(BUCKET):
        client.make_bucket(BUCKET)
    return {
        "ARKENOS_S3_ENDPOINT": s3_server.endpoint,
        "ARKENOS_S3_BUCKET": BUCKET,
        "ARKENOS_S3_ACCESS_KEY": s3_server.access_key,
        "ARKENOS_S3_SECRET_KEY": s3_server.secret_key,
        "ARKENOS_S3_SECURE": "false",
    }


@pytest.fixture
def minio(s3_server: S3Server) -> Minio:
    return s3_server.client()


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("wheels")
    make_wheel(directory)
    return directory


def run_build(s3: dict[str, str], wheels: Path, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    log = tmp_path / "termination-log"
    env = {
        **os.environ,
        **s3,
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


def test_good_bundle_builds_an_artifact_that_fetch_unpacks(
    s3: dict[str, str], minio: Minio, wheels: Path, tmp_path: Path
) -> None:
    digest = upload_bundle(
        minio, BUCKET, make_bundle({"agent.py": AGENT, "requirements.txt": "greetlib==1.0\n"})
    )
    code, stderr, log = run_build(
        s3, wheels, tmp_path, "build", "--digest", digest, "--entrypoint", "agent"
    )
    assert (code, stderr) == (0, "")
    artifact = json.loads(log)["artifactDigest"]
    hex_digest = artifact.removeprefix("sha256:")
    stored = minio.get_object(BUCKET, f"artifacts/{hex_digest}.tar.gz").read()
    assert hashlib.sha256(stored).hexdigest() == hex_digest

    dest = tmp_path / "artifact"
    code, stderr, _ = run_build(
        s3, wheels, tmp_path, "fetch", "--artifact-digest", artifact, "--dest", str(dest)
    )
    assert (code, stderr) == (0, "")
    assert (dest / "app" / "agent.py").read_text() == AGENT
    assert (dest / "site-packages" / "greetlib" / "__init__.py").is_file()


def test_same_bundle_gives_the_same_artifact_digest(
    s3: dict[str, str], minio: Minio, wheels: Path, tmp_path: Path
) -> None:
    digest = upload_bundle(
        minio, BUCKET, make_bundle({"agent.py": AGENT, "requirements.txt": "greetlib\n"})
    )
    first = run_build(s3, wheels, tmp_path, "build", "--digest", digest, "--entrypoint", "agent")
    second = run_build(s3, wheels, tmp_path, "build", "--digest", digest, "--entrypoint", "agent")
    assert first[0] == second[0] == 0
    assert json.loads(first[2]) == json.loads(second[2])


def test_hash_checked_requirements_install_and_a_wrong_hash_fails(
    s3: dict[str, str], minio: Minio, wheels: Path, tmp_path: Path
) -> None:
    wheel_hash = hashlib.sha256((wheels / "greetlib-1.0-py3-none-any.whl").read_bytes()).hexdigest()
    good = f"greetlib==1.0 --hash=sha256:{wheel_hash}\n"
    digest = upload_bundle(
        minio, BUCKET, make_bundle({"agent.py": AGENT, "requirements.txt": good})
    )
    code, stderr, _ = run_build(
        s3, wheels, tmp_path, "build", "--digest", digest, "--entrypoint", "agent"
    )
    assert (code, stderr) == (0, "")

    bad = f"greetlib==1.0 --hash=sha256:{'0' * 64}\n"
    digest = upload_bundle(minio, BUCKET, make_bundle({"agent.py": AGENT, "requirements.txt": bad}))
    code, stderr, log = run_build(
        s3, wheels, tmp_path, "build", "--digest", digest, "--entrypoint", "agent"
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
def test_broken_bundles_fail_with_a_clear_message(
    s3: dict[str, str],
    minio: Minio,
    wheels: Path,
    tmp_path: Path,
    files: dict[str, str],
    entrypoint: str,
    expected: str,
) -> None:
    digest = upload_bundle(minio, BUCKET, make_bundle(files))
    code, stderr, log = run_build(
        s3, wheels, tmp_path, "build", "--digest", digest, "--entrypoint", entrypoint
    )
    assert code == 1
    assert expected in log
    assert log.startswith("build failed: ")
    assert stderr.strip() == log
    assert "\n" not in log


def test_digest_mismatch_is_refused(
    s3: dict[str, str], minio: Minio, wheels: Path, tmp_path: Path
) -> None:
    claimed = "ab" * 32
    digest = upload_bundle(minio, BUCKET, make_bundle({"agent.py": AGENT}), name_digest=claimed)
    code, _, log = run_build(
        s3, wheels, tmp_path, "build", "--digest", digest, "--entrypoint", "agent"
    )
    assert code == 1
    assert f"digest mismatch: bundles/{claimed}.tar.gz has sha256:" in log


def test_missing_bundle_is_reported(s3: dict[str, str], wheels: Path, tmp_path: Path) -> None:
    code, _, log = run_build(
        s3, wheels, tmp_path, "build", "--digest", "sha256:" + "cd" * 32, "--entrypoint", "agent"
    )
    assert code == 1
    assert f"bundles/{'cd' * 32}.tar.gz is not in bucket {BUCKET}" in log


def test_unsafe_archive_paths_are_refused(
    s3: dict[str, str], minio: Minio, wheels: Path, tmp_path: Path
) -> None:
    digest = upload_bundle(minio, BUCKET, make_bundle({"../escape.py": "x = 1\n"}))
    code, _, log = run_build(
        s3, wheels, tmp_path, "build", "--digest", digest, "--entrypoint", "agent"
    )
    assert code == 1
    assert "could not be unpacked" in log
    assert not (tmp_path / "escape.py").exists()
