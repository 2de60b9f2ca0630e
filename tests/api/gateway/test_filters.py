"""The worker gateway's message filter: what a worker may register as and ask for, and what
job tokens it may be handed."""

from __future__ import annotations

import pytest
from livekit import api as lk
from livekit.protocol import agent as proto
from livekit.protocol import models

from arkenos_api.gateway.filters import (
    AGENT_NAME_ATTRIBUTE,
    AgentIdentity,
    Connection,
    Refused,
    admit_registration,
    from_server,
    from_worker,
)

AGENT = AgentIdentity("team-a", "orders", "arkenos-custom-team-a-orders")
KEY, SECRET = "APIplatform", "platform-secret-platform-secret-1234"
ROOM_URL = "ws://livekit.internal:7880"


def register(agent_name: str, **fields: object) -> proto.WorkerMessage:
    request = proto.RegisterWorkerRequest(
        type=proto.JobType.JT_ROOM, agent_name=agent_name, version="1.8.9", **fields
    )
    return proto.WorkerMessage(register=request)


def offered(job_id: str = "AJ_1", room: str = "call-1") -> tuple[Connection, proto.ServerMessage]:
    connection = Connection(AGENT)
    job = proto.Job(id=job_id, room=models.Room(name=room), agent_name=AGENT.dispatch_name)
    offer = proto.ServerMessage(availability=proto.AvailabilityRequest(job=job))
    from_server(offer, connection, lk.TokenVerifier(KEY, SECRET), ROOM_URL)
    return connection, offer


def job_token(room: str, **grants: object) -> str:
    video = lk.VideoGrants(room_join=True, room=room, agent=True, **grants)  # type: ignore[arg-type]
    return lk.AccessToken(KEY, SECRET).with_identity("agent-AJ_1").with_grants(video).to_jwt()


def assignment(room: str, token: str, url: str = "") -> proto.ServerMessage:
    job = proto.Job(id="AJ_1", room=models.Room(name=room))
    return proto.ServerMessage(assignment=proto.JobAssignment(job=job, token=token, url=url))


def test_registration_under_the_agents_own_name_is_admitted() -> None:
    admitted = admit_registration(register(AGENT.dispatch_name), AGENT)
    assert admitted.register.agent_name == AGENT.dispatch_name
    assert admitted.register.version == "1.8.9"


@pytest.mark.parametrize(
    "name",
    ["arkenos-custom-team-b-orders", "arkenos-standard", "", "arkenos-custom-team-a-orders2"],
)
def test_registration_under_another_name_is_refused(name: str) -> None:
    with pytest.raises(Refused, match="may register only as"):
        admit_registration(register(name), AGENT)


def test_registration_must_come_first_and_only_for_room_jobs() -> None:
    with pytest.raises(Refused, match="first message must register"):
        admit_registration(proto.WorkerMessage(ping=proto.WorkerPing(timestamp=1)), AGENT)
    publisher = register(AGENT.dispatch_name)
    publisher.register.type = proto.JobType.JT_PUBLISHER
    with pytest.raises(Refused, match="only room jobs"):
        admit_registration(publisher, AGENT)
    with pytest.raises(Refused, match="already registered"):
        from_worker(register(AGENT.dispatch_name), Connection(AGENT))


def test_registered_permissions_are_clamped() -> None:
    wanted = models.ParticipantPermission(
        can_publish=True,
        can_subscribe=True,
        can_publish_data=False,
        hidden=True,
        recorder=True,
        agent=False,
        can_subscribe_metrics=True,
        can_manage_agent_session=True,
    )
    message = register(AGENT.dispatch_name, allowed_permissions=wanted, namespace="other")
    message.register.endpoints.add(path="/hook")
    admitted = admit_registration(message, AGENT).register
    permissions = admitted.allowed_permissions
    assert (permissions.can_publish, permissions.can_subscribe) == (True, True)
    assert permissions.can_publish_data is False
    assert permissions.hidden is False
    assert permissions.recorder is False
    assert permissions.agent is True
    assert permissions.can_subscribe_metrics is False
    assert permissions.can_manage_agent_session is False
    assert admitted.namespace == ""
    assert len(admitted.endpoints) == 0


def availability(job_id: str = "AJ_1", **fields: object) -> proto.WorkerMessage:
    answer = proto.AvailabilityResponse(job_id=job_id, available=True, **fields)  # type: ignore[arg-type]
    return proto.WorkerMessage(availability=answer)


def test_availability_keeps_the_participant_an_agent_of_its_own() -> None:
    connection, _ = offered()
    message = availability(
        participant_identity="caller",  # would disconnect the caller, who has that identity
        participant_name="n" * 1000,
        participant_attributes={
            AGENT_NAME_ATTRIBUTE: "arkenos-standard",
            "lk.x": "1",
            "mood": "ok",
        },
    )
    answer = from_worker(message, connection).availability
    assert answer.participant_identity == ""  # LiveKit then names it agent-<job id>
    assert len(answer.participant_name) == 256
    assert dict(answer.participant_attributes) == {
        AGENT_NAME_ATTRIBUTE: AGENT.dispatch_name,
        "mood": "ok",
    }
    fine = from_worker(availability(participant_identity="agent-AJ_1"), connection)
    assert fine.availability.participant_identity == "agent-AJ_1"


def test_availability_with_oversized_metadata_or_attributes_is_refused() -> None:
    connection, _ = offered()
    with pytest.raises(Refused, match="metadata"):
        from_worker(availability(participant_metadata="x" * (64 * 1024 + 1)), connection)
    many = {f"k{i}": "v" for i in range(33)}
    with pytest.raises(Refused, match="attributes"):
        from_worker(availability(participant_attributes=many), connection)


def test_answers_and_updates_only_for_jobs_of_this_connection() -> None:
    connection, _ = offered("AJ_1")
    with pytest.raises(Refused, match="not offered"):
        from_worker(availability("AJ_other"), connection)
    update = proto.UpdateJobStatus(job_id="AJ_other", status=proto.JobStatus.JS_SUCCESS)
    with pytest.raises(Refused, match="not offered"):
        from_worker(proto.WorkerMessage(update_job=update), connection)
    # After a reconnect the worker reports its running jobs; they are its own from then on.
    reported = proto.WorkerMessage(migrate_job=proto.MigrateJobRequest(job_ids=["AJ_running"]))
    assert from_worker(reported, connection) == reported
    update.job_id = "AJ_running"
    assert from_worker(proto.WorkerMessage(update_job=update), connection).update_job == update


def test_simulated_jobs_and_migrations_carrying_jobs_are_refused() -> None:
    connection = Connection(AGENT)
    simulate = proto.SimulateJobRequest(room=models.Room(name="another-tenants-room"))
    with pytest.raises(Refused, match="simulated"):
        from_worker(proto.WorkerMessage(simulate_job=simulate), connection)
    forged = proto.MigrateJobRequest(jobs=[proto.Job(id="AJ_x", room=models.Room(name="r"))])
    with pytest.raises(Refused, match="job ids only"):
        from_worker(proto.WorkerMessage(migrate_job=forged), connection)


def test_pings_and_status_pass_unchanged() -> None:
    ping = proto.WorkerMessage(ping=proto.WorkerPing(timestamp=5))
    status = proto.WorkerMessage(update_worker=proto.UpdateWorkerStatus(load=0.5))
    assert from_worker(ping, Connection(AGENT)) == ping
    assert from_worker(status, Connection(AGENT)) == status


def test_an_assignment_gets_the_room_url_and_must_carry_its_rooms_token() -> None:
    connection = Connection(AGENT)
    verifier = lk.TokenVerifier(KEY, SECRET)
    forwarded = from_server(
        assignment("call-1", job_token("call-1")), connection, verifier, ROOM_URL
    )
    assert forwarded.assignment.url == ROOM_URL
    assert "AJ_1" in connection.jobs
    kept = from_server(
        assignment("call-1", job_token("call-1"), "wss://x"), connection, verifier, ROOM_URL
    )
    assert kept.assignment.url == "wss://x"


@pytest.mark.parametrize(
    ("room", "grants", "why"),
    [
        ("another-room", {}, "exactly the job's room"),
        ("call-1", {"room_admin": True}, "beyond"),
        ("call-1", {"room_create": True}, "beyond"),
        ("call-1", {"hidden": True}, "beyond"),
        ("call-1", {"recorder": True}, "beyond"),
    ],
)
def test_an_assignment_with_a_wider_token_is_refused(
    room: str, grants: dict[str, object], why: str
) -> None:
    with pytest.raises(Refused, match=why):
        from_server(
            assignment("call-1", job_token(room, **grants)),
            Connection(AGENT),
            lk.TokenVerifier(KEY, SECRET),
            ROOM_URL,
        )


def test_an_assignment_whose_token_does_not_verify_is_refused() -> None:
    forged = lk.AccessToken(KEY, "another-secret-another-secret-12345")
    grants = lk.VideoGrants(room_join=True, room="call-1")
    token = forged.with_identity("agent-AJ_1").with_grants(grants).to_jwt()
    with pytest.raises(Refused, match="does not verify"):
        from_server(
            assignment("call-1", token), Connection(AGENT), lk.TokenVerifier(KEY, SECRET), ROOM_URL
        )
