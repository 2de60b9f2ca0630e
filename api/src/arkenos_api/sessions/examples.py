"""Examples of the call log's bodies, for the OpenAPI document."""

from __future__ import annotations

from typing import Any

SUMMARY: dict[str, Any] = {
    "id": "8a3f9d62-6c1e-4c2b-9a55-1f0e7b3c2d41",
    "agent": "front-desk",
    "direction": "Inbound",
    "status": "Ended",
    "endReason": "CallerHungUp",
    "phoneNumber": "+14155559000",
    "caller": "+14155550123",
    "callee": "+14155559000",
    "room": "call-_+14155550123_x7Tq",
    "startedAt": "2026-12-01T10:00:01Z",
    "endedAt": "2026-12-01T10:03:01Z",
    "durationMs": 180000,
    "costMicros": 25310,
    "costStatus": "priced",
}
PAGE: dict[str, Any] = {
    "items": [SUMMARY],
    "nextCursor": "MjAyNi0xMi0wMVQxMDowMDowMSswMDowMHw4YTNm",
}
DETAIL: dict[str, Any] = {
    **SUMMARY,
    "error": None,
    "variables": {"customer_name": "Ada"},
    "transcript": [
        {
            "seq": 0,
            "role": "agent",
            "text": "Hello, how can I help?",
            "startedAt": "2026-12-01T10:00:02Z",
            "endedAt": "2026-12-01T10:00:04Z",
        },
        {
            "seq": 1,
            "role": "user",
            "text": "I'd like to book a table.",
            "startedAt": "2026-12-01T10:00:05Z",
            "endedAt": "2026-12-01T10:00:07Z",
        },
    ],
    "turns": [{"turn": 1, "endToEndMs": 742, "sttMs": 180, "llmMs": 310, "ttsMs": 95}],
    "usage": [
        {
            "provider": "openai",
            "model": "gpt-4o-mini",
            "metric": "llm_input_tokens",
            "quantity": 5210,
        }
    ],
    "toolCalls": [
        {
            "seq": 0,
            "name": "book_table",
            "arguments": {"party": 2, "apiKey": "****9f3a"},
            "result": {"ok": True},
            "error": None,
            "durationMs": 212,
            "at": "2026-12-01T10:00:09Z",
        }
    ],
    "cost": {
        "version": "2026-11-01",
        "currency": "USD",
        "status": "priced",
        "totalMicros": 25310,
        "pricedMicros": 25310,
        "unpricedItems": [],
        "lines": [
            {
                "item": "openai/gpt-4o-mini/llm_input_tokens",
                "quantity": 5210,
                "unitMicros": 150000,
                "per": 1000000,
                "micros": 782,
                "status": "priced",
                "source": "catalogue",
            }
        ],
    },
    "analysis": {
        "state": "Completed",
        "reason": None,
        "error": None,
        "summary": "The caller booked a table for four on Friday at 7 pm.",
        "success": True,
        "sentiment": "Positive",
        "topics": ["reservation", "opening hours"],
        "fields": {"party_size": 4, "wants_callback": False},
        "model": "gpt-4o-mini",
        "attempts": 1,
        "createdAt": "2026-11-20T12:01:05Z",
    },
}
CSV = (
    "id,agent,direction,status,endReason,phoneNumber,caller,callee,room,startedAt,endedAt,"
    "durationMs,costMicros,costStatus\n"
    "8a3f9d62-6c1e-4c2b-9a55-1f0e7b3c2d41,front-desk,Inbound,Ended,CallerHungUp,+14155559000,"
    "+14155550123,+14155559000,call-x7Tq,2026-12-01T10:00:01Z,2026-12-01T10:03:01Z,180000,"
    "25310,priced\n"
)
JSONL = (
    '{"id":"8a3f9d62-6c1e-4c2b-9a55-1f0e7b3c2d41","agent":"front-desk",'
    '"direction":"Inbound","status":"Ended"}\n'
)
