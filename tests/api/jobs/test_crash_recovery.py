"""SIGKILL the ``arkenos-api jobs`` process in the middle of a batch and start it again: every
webhook is delivered, and the receiver (deduplicating by ``webhook-id``, as the Standard
Webhooks specification asks receivers to) acts on each exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from arkenos_api.settings import Settings
from tests.api.helpers import Api, Cluster, Person
from tests.api.jobs._support import Receiver, agent_with_webhook
from tests.api.jobs.test_webhooks import end, messages, until
from tests.api.sessions.factories import add_session

CALLS = 24
#: Jobs a worker runs at once: the most requests a kill can leave half-acknowledged.
IN_FLIGHT = 4
#: Seconds a worker process may take to start: imports alone take 40 s on a loaded 2-core
#: machine (measured), most of it the openai SDK the analysis job uses.
WORKER_START = 180


def start_worker(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ARKENOS_DATABASE_URL": settings.database_url.get_secret_value(),
        "ARKENOS_KUBECONFIG": str(settings.kubeconfig),
        "ARKENOS_MASTER_KEYS": settings.master_keys_text(),
        "ARKENOS_WEBHOOK_ALLOW_LOOPBACK": "true",
        "ARKENOS_WEBHOOK_CA_FILE": str(settings.webhook_ca_file),
        "ARKENOS_WEBHOOK_RETRY_DELAYS_SECONDS": "[0.2, 0.2, 0.2]",
        "ARKENOS_JOBS_HEARTBEAT_TIMEOUT_SECONDS": "2",
        "ARKENOS_JOBS_BATCH_SIZE": "2",
        "ARKENOS_JOBS_CONCURRENCY": str(IN_FLIGHT),
        "ARKENOS_OPENAI_BASE_URL": settings.openai_base_url,
        "ARKENOS_ANALYSIS_PROVIDER_RETRIES": str(settings.analysis_provider_retries),
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "arkenos_api", "jobs"], env=env, stdout=out, stderr=out
        )


async def test_sigkill_mid_batch_then_restart_delivers_every_webhook_once(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    receiver: Receiver,
    jobs_settings: Settings,
    tmp_path: Path,
) -> None:
    _, namespace = owner
    await agent_with_webhook(
        cluster, namespace, "burst", receiver.url, receiver.secret, ["CallEnded"]
    )
    sessions = [
        await add_session(
            api, namespace, agent="burst", seconds=None, status="Active", end_reason=None
        )
        for _ in range(CALLS)
    ]
    for session_id in sessions:
        await end(api, session_id)
    receiver.delay = 0.3  # slow enough that a batch is in flight when the worker dies
    log = tmp_path / "jobs.log"
    first = start_worker(jobs_settings, log)
    try:

        async def some_delivered() -> bool:
            assert first.poll() is None, log.read_text()
            return len(receiver.deliveries) >= 4

        await until(some_delivered, seconds=WORKER_START)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    delivered_before_restart = len(receiver.deliveries)
    assert delivered_before_restart < CALLS, "the kill came too late to be mid-batch"
    second = start_worker(jobs_settings, log)
    try:

        async def all_delivered() -> bool:
            found = [m for s in sessions for m in await messages(api, s)]
            return len(found) == CALLS and all(m.state == "Delivered" for m in found)

        await until(all_delivered, seconds=WORKER_START + 60)
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.to_thread(second.wait, 30)
    ids = {m.id for s in sessions for m in await messages(api, s)}
    # Every webhook-id reached the receiver, and the receiver saw no other id.
    assert set(receiver.deliveries) == ids
    assert receiver.bad_signatures == 0
    # Only the requests in flight at the kill can be sent twice (with the same webhook-id, so
    # the receiver acts once): a crash between the receiver's answer and the commit.
    assert sum(receiver.deliveries.values()) - len(ids) <= IN_FLIGHT
    assert second.returncode == 0, log.read_text()
