"""The build imports user code (the entrypoint probe) and runs packages' setup code (pip)
without the builder's own environment: storage credentials set for the builder are invisible
to both."""

from __future__ import annotations

from pathlib import Path

import pytest

from arkenos_agent_runtime.build.command import check_entrypoint
from arkenos_agent_runtime.build.environment import pip_env, probe_env
from arkenos_agent_runtime.usercode import APP_DIR

BUILDER_SECRETS = {
    "ARKENOS_S3_ACCESS_KEY": "AKIA-builder-only",
    "ARKENOS_S3_SECRET_KEY": "builder-secret-key",
    "LIVEKIT_API_SECRET": "livekit-secret",
}
#: User code that refuses to import if it can see any of the builder's credentials.
SNOOPING_AGENT = """
import os

leaked = sorted(name for name in os.environ if name.startswith(("ARKENOS_S3_", "LIVEKIT_")))
if leaked:
    raise RuntimeError("the probe sees " + ", ".join(leaked))


async def entrypoint(ctx):
    pass
"""


async def test_the_probe_imports_user_code_without_the_builders_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in BUILDER_SECRETS.items():
        monkeypatch.setenv(name, value)
    app = tmp_path / APP_DIR
    app.mkdir()
    (app / "agent.py").write_text(SNOOPING_AGENT)
    # Raises BuildError("... the probe sees ARKENOS_S3_ACCESS_KEY, ...") if the env leaked.
    await check_entrypoint(tmp_path, "agent:entrypoint")


def test_the_environments_keep_only_what_a_process_needs() -> None:
    source = {**BUILDER_SECRETS, "PATH": "/usr/bin", "HOME": "/tmp", "HTTPS_PROXY": "http://p:3128"}
    assert probe_env(source) == {
        "PATH": "/usr/bin",
        "HOME": "/tmp",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    pip = pip_env(source)
    assert pip["HTTPS_PROXY"] == "http://p:3128"
    assert not set(BUILDER_SECRETS) & set(pip)
