"""Failed jobs are held with their last error and retried by a platform admin; a webhook's
delivery log and the manual redelivery of one event."""

from __future__ import annotations

import uuid

from arkenos_api.jobs.queue import Entrypoint, enqueue
from arkenos_api.settings import Settings
from tests.api.helpers import Api, Cluster, Person
from tests.api.jobs._support import Receiver, agent_with_webhook
from tests.api.jobs.test_webhooks import end, messages, settled, until, worker
from tests.api.sessions.factories import add_session


async def test_a_job_that_keeps_failing_is_held_with_its_error_and_retried_by_an_admin(
    api: Api, owner: tuple[Person, str], jobs_settings: Settings
) -> None:
    admin, _ = owner
    async with api.app.state.sessionmaker() as db:
        await enqueue(db, Entrypoint.DELIVER, {"unexpected": "payload"})
        await db.commit()
    held: list[dict[str, object]] = []

    async def is_held() -> bool:
        response = await admin.get("/api/v1/admin/jobs/failed")
        assert response.status_code == 200, response.text
        held[:] = [j for j in response.json()["items"] if j["payload"] == {"unexpected": "payload"}]
        return bool(held)

    async with worker(jobs_settings.model_copy(update={"jobs_max_attempts": 1})):
        await until(is_held, seconds=30)
    [job] = held
    assert job["entrypoint"] == Entrypoint.DELIVER
    assert "KeyError" in str(job["lastError"])
    member = await api.person()
    assert (await member.get("/api/v1/admin/jobs/failed")).status_code == 403
    assert (await member.post(f"/api/v1/admin/jobs/{job['id']}/retry")).status_code == 403
    retried = await admin.post(f"/api/v1/admin/jobs/{job['id']}/retry")
    assert retried.status_code == 204, retried.text
    assert not await is_held()
    again = await admin.post(f"/api/v1/admin/jobs/{job['id']}/retry")
    assert again.status_code == 404


async def test_delivery_log_and_manual_redelivery(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    receiver: Receiver,
    jobs_settings: Settings,
) -> None:
    admin, namespace = owner
    await agent_with_webhook(
        cluster, namespace, "log", receiver.url, receiver.secret, ["CallEnded"]
    )
    receiver.faults = [503]
    session_id = await add_session(
        api, namespace, agent="log", seconds=None, status="Active", end_reason=None
    )
    await end(api, session_id)
    url = f"/api/v1/workspaces/{namespace}/agents/log/webhooks/crm/deliveries"
    async with worker(jobs_settings):
        await until(lambda: settled(api, session_id))
        [entry] = (await admin.get(url)).json()["items"]
        assert entry["state"] == "Delivered"
        assert [(a["outcome"], a["statusCode"]) for a in entry["attempts"]] == [
            ("Failed", 503),
            ("Delivered", 204),
        ]
        assert all(a["latencyMs"] is not None for a in entry["attempts"])
        assert entry["webhook"] == "crm"
        # The call detail page reads the same entries by call.
        by_call = await admin.get(
            f"/api/v1/workspaces/{namespace}/sessions/{session_id}/webhook-deliveries"
        )
        assert by_call.status_code == 200, by_call.text
        assert by_call.json()["items"] == [entry]
        quiet = await add_session(api, namespace, agent="log")
        none = await admin.get(
            f"/api/v1/workspaces/{namespace}/sessions/{quiet}/webhook-deliveries"
        )
        assert none.json() == {"items": []}
        unknown = await admin.get(
            f"/api/v1/workspaces/{namespace}/sessions/{uuid.uuid4()}/webhook-deliveries"
        )
        assert unknown.status_code == 404
        redelivered = await admin.post(
            f"/api/v1/workspaces/{namespace}/webhook-messages/{entry['messageId']}/redeliver"
        )
        assert redelivered.status_code == 202, redelivered.text

        async def twice() -> bool:
            return receiver.deliveries[entry["messageId"]] == 2

        await until(twice)
    [message] = await messages(api, session_id)
    assert message.state == "Delivered"
    missing = await admin.post(f"/api/v1/workspaces/{namespace}/webhook-messages/msg_x/redeliver")
    assert missing.status_code == 404
