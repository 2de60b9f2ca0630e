"""`make dev` brings the whole platform up as local processes and takes it down again: the
control plane with kwok, PostgreSQL, LiveKit with SIP, the S3 store, the API (migrated), the
operator, a standard worker registered with LiveKit, and the dashboard. Started here exactly as
``arkenos-dev`` starts it (the same component list), then stopped as Ctrl-C stops it."""

from __future__ import annotations

import shutil
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from arkenos_devstack.components import (
    ApiComponent,
    OperatorComponent,
    WorkerComponent,
    default_components,
)
from arkenos_devstack.media import DashboardComponent, LiveKitComponent, ObjectStoreComponent
from arkenos_devstack.stack import Stack

pytestmark = [pytest.mark.realk8s, pytest.mark.livekit, pytest.mark.slow]


def _status(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback URLs
        return int(response.status)


def _refused(url: str) -> bool:
    try:
        _status(url)
    except OSError:
        return True
    return False


@pytest.fixture
def stack_dir() -> Iterator[Path]:
    """A directory as ``arkenos-dev`` makes it: PostgreSQL runs as its own user under it."""
    base = Path(tempfile.mkdtemp(prefix="arkenos-dev-test-"))
    base.chmod(0o755)
    yield base
    shutil.rmtree(base, ignore_errors=True)


def test_the_whole_platform_comes_up_and_goes_down(stack_dir: Path) -> None:
    if not DashboardComponent.built():
        pytest.skip("the dashboard is not built (make test builds it before pytest)")
    stack = Stack(stack_dir, default_components())
    try:
        stack.start()
        parts = {type(component): component for component in stack.started}
        api, livekit = parts[ApiComponent], parts[LiveKitComponent]
        worker, operator = parts[WorkerComponent], parts[OperatorComponent]
        dashboard = parts[DashboardComponent]
        assert isinstance(api, ApiComponent)
        assert isinstance(livekit, LiveKitComponent)
        assert isinstance(worker, WorkerComponent)
        assert isinstance(operator, OperatorComponent)
        assert isinstance(dashboard, DashboardComponent)
        assert livekit.livekit is not None
        assert isinstance(parts[ObjectStoreComponent], ObjectStoreComponent)
        urls = {
            "api": f"http://127.0.0.1:{api.port}/readyz",
            "livekit": livekit.livekit.http_url,
            # /ready answers 200 only once the worker has registered with livekit-server.
            "worker": f"http://127.0.0.1:{worker.health_port}/ready",
            "operator": f"http://127.0.0.1:{operator.port}/readyz",
            "dashboard": f"{dashboard.url}/login",
        }
        assert {name: _status(url) for name, url in urls.items()} == dict.fromkeys(urls, 200)
        # The API was given LiveKit and S3: what calls and custom code deploys need.
        assert stack.env["ARKENOS_LIVEKIT_URL"] == livekit.livekit.url
        assert stack.env["ARKENOS_S3_BUCKET"] == "arkenos"
        description = stack.describe()
        for url in (dashboard.url, livekit.livekit.url, f"http://127.0.0.1:{api.port}"):
            assert url in description
    finally:
        stack.stop()
    assert stack.started == []
    assert [name for name, url in urls.items() if not _refused(url)] == []
