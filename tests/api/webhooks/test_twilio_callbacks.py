"""Twilio's call status callbacks: verified with X-Twilio-Signature (twilio's RequestValidator)
against the workspace's own Twilio account, once per (call, status); forged, unsigned, for
another account, or replayed get 401 and change nothing. Ringing and answered move the call
along; busy and no answer end it."""

from __future__ import annotations

import uuid
from typing import Any

from twilio.request_validator import RequestValidator

from arkenos_api.internal.models import CallSession
from tests.api.helpers import Api, Person
from tests.api.sessions.factories import add_session

SID, TOKEN = "AC" + "7" * 32, "workspace-twilio-token-0001"
LINE, CALLEE = "+14155559000", "+14155550123"


def _url(workspace: str) -> str:
    return f"https://testserver/webhooks/twilio/{workspace}/call-status"


async def _callback(
    api: Api,
    workspace: str,
    status: str,
    *,
    token: str = TOKEN,
    call_sid: str = "CA" + "1" * 32,
    **extra: str,
) -> Any:
    form = {
        "AccountSid": SID,
        "CallSid": call_sid,
        "CallStatus": status,
        "From": LINE,
        "To": CALLEE,
        **extra,
    }
    signature = RequestValidator(token).compute_signature(_url(workspace), form)
    async with api.client() as client:
        return await client.post(
            f"/webhooks/twilio/{workspace}/call-status",
            data=form,
            headers={"X-Twilio-Signature": signature},
        )


async def _status(api: Api, session_id: uuid.UUID) -> tuple[str, str | None]:
    async with api.app.state.sessionmaker() as db:
        found = await db.get(CallSession, session_id)
    assert found is not None
    return found.status, found.end_reason


async def test_status_callbacks_move_the_call_and_bad_ones_are_refused(
    api: Api, owner: tuple[Person, str]
) -> None:
    admin, workspace = owner
    stored = await admin.put(
        f"/api/v1/workspaces/{workspace}/keys/twilio", json={"value": f"{SID}:{TOKEN}"}
    )
    assert stored.status_code == 200, stored.text
    session_id = await add_session(
        api,
        workspace,
        seconds=None,
        status="Dialing",
        direction="Outbound",
        caller=LINE,
        callee=CALLEE,
    )

    forged = await _callback(api, workspace, "busy", token="someone-elses-token")
    other_account = await _callback(api, workspace, "busy", AccountSid="AC" + "9" * 32)
    async with api.client() as client:
        unsigned = await client.post(
            f"/webhooks/twilio/{workspace}/call-status",
            data={"AccountSid": SID, "CallSid": "CA1", "CallStatus": "busy"},
        )
    assert [r.status_code for r in (forged, other_account, unsigned)] == [401, 401, 401]
    assert await _status(api, session_id) == ("Dialing", None)

    ringing = await _callback(api, workspace, "ringing")
    assert ringing.status_code == 204, ringing.text
    assert await _status(api, session_id) == ("Ringing", None)
    replayed = await _callback(api, workspace, "ringing")
    assert replayed.status_code == 401

    assert (await _callback(api, workspace, "no-answer")).status_code == 204
    assert await _status(api, session_id) == ("NoAnswer", "Error")
