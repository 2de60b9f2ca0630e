"""Root conftest: registers the shared test substrate (PostgreSQL, the Kubernetes emulator,
the real Kubernetes control plane, the real LiveKit, S3-compatible storage)."""

import logging
from collections.abc import Iterator

import pytest

pytest_plugins = [
    "tests.substrate.postgres",
    "tests.substrate.kubernetes",
    "tests.substrate.s3",
    "tests.substrate.livekit_server",
    "tests.substrate.controlplane",
]


# Under pytest-xdist (`-n`), tests that share one heavy server started per session go to one
# worker each (`--dist loadgroup`), so each server starts once; the rest spread over the workers.
HEAVY_SUBSTRATES = {
    "control_plane": "controlplane",
    "realk8s_namespace": "controlplane",
    "livekit_stack": "livekit",
    "livekit_sip": "livekit",
}


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    for item in items:
        groups = {
            HEAVY_SUBSTRATES[f] for f in getattr(item, "fixturenames", ()) if f in HEAVY_SUBSTRATES
        }
        if item.nodeid.startswith("tests/devstack/"):
            # `make dev` starts its own livekit-sip, whose SIP port would clash with the suite's.
            groups.add("livekit")
        if groups:
            item.add_marker(pytest.mark.xdist_group(name="+".join(sorted(groups))))


@pytest.fixture(autouse=True)
def _kopf_object_log_level() -> Iterator[None]:
    """The operator's ``configure_logging`` sets kopf's per-object logger to WARNING, which is
    process-wide: without this, a test that starts the operator in-process silences the
    handler lines a later test in the same worker reads."""
    logger = logging.getLogger("kopf.objects")
    level = logger.level
    yield
    logger.setLevel(level)
