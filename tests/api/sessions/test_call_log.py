"""The call log: filters (agent, direction, status, end reason, phone number, time range,
minimum duration, full-text search), keyset pagination newest first that stays stable while
calls arrive, one session in full with secrets redacted, and streamed exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

from tests.api.helpers import Api, Person
from tests.api.sessions.factories import BASE, add_session


def _log(workspace: str) -> str:
    return f"/api/v1/workspaces/{workspace}/sessions"


async def _ids(person: Person, workspace: str, **params: Any) -> list[str]:
    response = await person.get(_log(workspace), params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_filters(api: Api, owner: tuple[Person, str]) -> None:
    admin, workspace = owner
    web = await add_session(api, workspace, seconds=30, transcript=[("user", "I need a refund")])
    inbound = await add_session(
        api,
        workspace,
        started_at=BASE + timedelta(hours=1),
        seconds=300,
        agent="sales",
        direction="Inbound",
        phone_number="+14155559000",
        caller="+14155550123",
        callee="+14155559000",
        transcript=[("user", "Do you ship to Lisbon?"), ("agent", "Yes, we ship to Portugal.")],
    )
    lost = await add_session(
        api,
        workspace,
        started_at=BASE + timedelta(hours=2),
        seconds=5,
        status="Ended",
        end_reason="Lost",
    )
    live = await add_session(
        api, workspace, started_at=BASE + timedelta(hours=3), seconds=None, status="Active"
    )

    assert await _ids(admin, workspace) == [str(live), str(lost), str(inbound), str(web)]
    assert await _ids(admin, workspace, agent="sales") == [str(inbound)]
    assert await _ids(admin, workspace, direction="Inbound") == [str(inbound)]
    assert await _ids(admin, workspace, status="Active") == [str(live)]
    assert await _ids(admin, workspace, endReason="Lost") == [str(lost)]
    assert await _ids(admin, workspace, phoneNumber="+14155550123") == [str(inbound)]
    assert await _ids(admin, workspace, minDurationMs=30_000) == [str(inbound), str(web)]
    window = {
        "from": (BASE + timedelta(minutes=30)).isoformat(),
        "to": (BASE + timedelta(hours=2)).isoformat(),
    }
    assert await _ids(admin, workspace, **window) == [str(inbound)]
    assert await _ids(admin, workspace, q="refund") == [str(web)]
    assert await _ids(admin, workspace, q="portugal SHIP") == [str(inbound)]
    # Words match within one utterance (a segment), as a person searching a transcript means.
    assert await _ids(admin, workspace, q="portugal lisbon") == []
    assert await _ids(admin, workspace, q='"ship to portugal"') == [str(inbound)]
    assert await _ids(admin, workspace, q="refund", agent="sales") == []
    bad = await admin.get(_log(workspace), params={"status": "Dancing"})
    assert bad.status_code == 422


async def test_pages_are_stable_while_calls_arrive(api: Api, owner: tuple[Person, str]) -> None:
    admin, workspace = owner
    # Five calls share one start time: the id breaks the tie, so none is skipped or repeated.
    seeded = [
        await add_session(api, workspace, started_at=BASE + timedelta(minutes=i // 5))
        for i in range(12)
    ]
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        page = (await admin.get(_log(workspace), params=params)).json()
        seen += [item["id"] for item in page["items"]]
        # A new call arrives between every two pages.
        await add_session(api, workspace, started_at=BASE + timedelta(days=1, minutes=len(seen)))
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(str(s) for s in seeded)
    assert len(seen) == len(set(seen))
    starts = [(await admin.get(f"{_log(workspace)}/{s}")).json()["startedAt"] for s in seen]
    assert starts == sorted(starts, reverse=True)
    garbage = await admin.get(_log(workspace), params={"cursor": "not-a-cursor"})
    assert garbage.status_code == 422


async def test_one_session_in_full_with_secrets_redacted(
    api: Api, owner: tuple[Person, str]
) -> None:
    admin, workspace = owner
    session_id = await add_session(
        api,
        workspace,
        transcript=[("agent", "Hello!"), ("user", "Book me a table"), ("agent", "Done.")],
        turns=[{"turn": 1, "end_to_end_ms": 742, "stt_ms": 180, "llm_ms": 310, "tts_ms": 95}],
        usage=[
            ("openai", "gpt-4o-mini", "llm_input_tokens", 1000),
            ("openai", "gpt-4o-mini", "llm_input_tokens", 500),
        ],
        tool_calls=[
            {
                "name": "book_table",
                "arguments": {"party": 2, "apiKey": "sk-live-abcdefgh1234", "note": "ok"},
                "result": json.dumps({"ok": True, "token": "tok_secret_value_9876"}),
                "duration_ms": 212,
            }
        ],
    )

    detail = (await admin.get(f"{_log(workspace)}/{session_id}")).json()

    assert [line["text"] for line in detail["transcript"]] == ["Hello!", "Book me a table", "Done."]
    assert detail["turns"] == [
        {"turn": 1, "endToEndMs": 742, "sttMs": 180, "llmMs": 310, "ttsMs": 95}
    ]
    assert detail["usage"] == [
        {
            "provider": "openai",
            "model": "gpt-4o-mini",
            "metric": "llm_input_tokens",
            "quantity": 1500,
        }
    ]
    [tool] = detail["toolCalls"]
    assert tool["arguments"] == {"party": 2, "apiKey": "****1234", "note": "ok"}
    assert tool["result"] == {"ok": True, "token": "****9876"}
    assert "sk-live" not in json.dumps(detail)
    assert detail["analysis"] is None
    assert detail["durationMs"] == 60_000


async def test_other_workspaces_sessions_are_not_found(api: Api, owner: tuple[Person, str]) -> None:
    admin, workspace = owner
    elsewhere = await api.workspace(admin)
    theirs = await add_session(api, elsewhere)
    assert (await admin.get(f"{_log(workspace)}/{theirs}")).status_code == 404
    assert str(theirs) not in await _ids(admin, workspace)


async def test_exports_stream_csv_and_json_lines(api: Api, owner: tuple[Person, str]) -> None:
    admin, workspace = owner
    ids = [
        await add_session(api, workspace, started_at=BASE + timedelta(minutes=i), agent="exp")
        for i in range(3)
    ]
    await add_session(api, workspace, agent="other")

    as_csv = await admin.get(f"{_log(workspace)}/export", params={"format": "csv", "agent": "exp"})
    as_jsonl = await admin.get(
        f"{_log(workspace)}/export", params={"format": "jsonl", "agent": "exp"}
    )

    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["id"] for r in rows] == [str(i) for i in reversed(ids)]
    assert rows[0]["durationMs"] == "60000"
    lines = [json.loads(line) for line in as_jsonl.text.splitlines()]
    assert [line["id"] for line in lines] == [str(i) for i in reversed(ids)]
    assert {line["agent"] for line in lines} == {"exp"}
