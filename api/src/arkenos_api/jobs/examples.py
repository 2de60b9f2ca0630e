"""Examples of the jobs routes' bodies, for the OpenAPI document."""

from __future__ import annotations

from typing import Any

FAILED_JOBS: dict[str, Any] = {
    "items": [
        {
            "id": 4211,
            "entrypoint": "webhooks.fan_out",
            "attempts": 5,
            "created": "2026-12-01T22:10:00Z",
            "updated": "2026-12-01T22:41:00Z",
            "payload": {"event": "1b7c1f0e-8a52-4d0f-9d35-2f7f6f3a5a11"},
            "lastError": "ApiException: (503) Service Unavailable",
        }
    ]
}
DELIVERY_LOG: dict[str, Any] = {
    "items": [
        {
            "messageId": "msg_5f3c2b8e0f7a4d0c9c1e2a3b4c5d6e7f",
            "webhook": "crm",
            "eventType": "CallEnded",
            "state": "Delivered",
            "createdAt": "2026-12-01T22:10:00Z",
            "deliveredAt": "2026-12-01T22:10:06Z",
            "attempts": [
                {
                    "attemptedAt": "2026-12-01T22:10:00Z",
                    "outcome": "Failed",
                    "statusCode": 503,
                    "latencyMs": 41,
                    "error": "HTTP 503",
                },
                {
                    "attemptedAt": "2026-12-01T22:10:05Z",
                    "outcome": "Delivered",
                    "statusCode": 204,
                    "latencyMs": 38,
                    "error": None,
                },
            ],
        }
    ]
}
REDELIVERY: dict[str, Any] = {
    "messageId": "msg_5f3c2b8e0f7a4d0c9c1e2a3b4c5d6e7f",
    "state": "Pending",
}


def example(body: dict[str, Any], code: int = 200) -> dict[int | str, dict[str, Any]]:
    return {code: {"content": {"application/json": {"example": body}}}}
