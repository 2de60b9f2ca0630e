"""Delivering one webhook message: at most one delivery at a time per message (its row is
locked for the attempt), each attempt logged, the next one scheduled in the same transaction."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from arkenos_api.core.db import utcnow
from arkenos_api.core.kube import Kube
from arkenos_api.jobs.models import WebhookAttempt, WebhookMessage
from arkenos_api.jobs.queue import Entrypoint, enqueue
from arkenos_api.jobs.signing import SigningSecretError, signed_headers, signing_secret
from arkenos_api.jobs.ssrf import RefusedTarget, pin
from arkenos_api.workspaces.models import Workspace

MAX_REDIRECTS = 3
ERROR_LENGTH = 500


class MessageState(StrEnum):
    PENDING = "Pending"
    DELIVERED = "Delivered"
    FAILED = "Failed"  # retries spent, or the target refused


class AttemptOutcome(StrEnum):
    DELIVERED = "Delivered"
    FAILED = "Failed"
    REFUSED = "Refused"


@dataclass(frozen=True)
class DeliveryContext:
    sessionmaker: async_sessionmaker[AsyncSession]
    kube: Kube
    http: httpx.AsyncClient
    retry_delays: list[float]
    allow_loopback: bool


@dataclass(frozen=True)
class Result:
    outcome: AttemptOutcome
    status_code: int | None = None
    error: str | None = None


async def _post(context: DeliveryContext, url: str, headers: dict[str, str], body: str) -> Result:
    """POST to the pinned address of ``url``, following method-keeping redirects re-checked."""
    for _ in range(MAX_REDIRECTS + 1):
        target = await pin(url, allow_loopback=context.allow_loopback)
        response = await context.http.post(
            target.url,
            content=body,
            headers={**headers, "host": target.host_header},
            extensions={"sni_hostname": target.host},
        )
        if response.status_code in (307, 308) and "location" in response.headers:
            url = str(httpx.URL(url).join(response.headers["location"]))
            continue
        if response.is_success:
            return Result(AttemptOutcome.DELIVERED, response.status_code)
        return Result(AttemptOutcome.FAILED, response.status_code, f"HTTP {response.status_code}")
    return Result(AttemptOutcome.FAILED, None, f"more than {MAX_REDIRECTS} redirects")


async def _attempt(context: DeliveryContext, message: WebhookMessage, namespace: str) -> Result:
    body = json.dumps(message.body, sort_keys=True, separators=(",", ":"))
    try:
        secret = await signing_secret(context.kube, namespace, message.secret_name)
        headers = signed_headers(secret, message.id, utcnow(), body)
        return await _post(context, message.url, headers, body)
    except RefusedTarget as exc:
        return Result(AttemptOutcome.REFUSED, error=str(exc))
    except SigningSecretError as exc:
        return Result(AttemptOutcome.FAILED, error=str(exc))
    except httpx.HTTPError as exc:
        return Result(AttemptOutcome.FAILED, error=f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH])


async def deliver(context: DeliveryContext, message_id: str) -> AttemptOutcome | None:
    """Attempt the message unless it is delivered, given up, or being attempted elsewhere."""
    async with context.sessionmaker() as db_session:
        # The message (locked for the attempt) and its namespace in one round trip.
        row = (
            await db_session.execute(
                select(WebhookMessage, Workspace.namespace)
                .outerjoin(Workspace, Workspace.id == WebhookMessage.workspace_id)
                .where(WebhookMessage.id == message_id)
                .with_for_update(of=WebhookMessage, skip_locked=True)
            )
        ).first()
        if row is None or row[0].state != MessageState.PENDING:
            return None
        message, namespace = row
        started = time.monotonic()
        result = await _attempt(context, message, namespace or "")
        latency_ms = int((time.monotonic() - started) * 1000)
        db_session.add(
            WebhookAttempt(
                message_id=message.id,
                outcome=result.outcome,
                status_code=result.status_code,
                latency_ms=latency_ms,
                error=result.error,
            )
        )
        message.attempts += 1
        if result.outcome is AttemptOutcome.DELIVERED:
            message.state, message.delivered_at = MessageState.DELIVERED, utcnow()
        elif result.outcome is AttemptOutcome.REFUSED or message.attempts > len(
            context.retry_delays
        ):
            message.state = MessageState.FAILED
        else:
            delay = timedelta(seconds=context.retry_delays[message.attempts - 1])
            await enqueue(db_session, Entrypoint.DELIVER, {"message": message.id}, delay=delay)
        await db_session.commit()
        return result.outcome
