"""Liveness, readiness (PostgreSQL and Kubernetes reachable) and Prometheus metrics."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text

from arkenos_api.deps import EngineDep, HttpMetricsDep, KubeDep

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


class Health(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"status": "ok", "checks": {"postgres": "ok", "kubernetes": "ok"}}
        }
    )

    status: str = Field(examples=["ok"])
    checks: dict[str, str] = Field(
        default_factory=dict, examples=[{"postgres": "ok", "kubernetes": "ok"}]
    )


@router.get("/healthz")
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


async def _check(name: str, probe: object) -> tuple[str, str]:
    try:
        await asyncio.wait_for(probe, timeout=2.0)  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", and is reported
        log.warning("readiness check %s failed: %s", name, exc)
        return name, f"failed: {type(exc).__name__}"
    return name, "ok"


@router.get("/readyz", responses={503: {"model": Health}})
async def readyz(engine: EngineDep, kube: KubeDep, response: Response) -> Health:
    """Ready when PostgreSQL and the Kubernetes API answer."""

    async def postgres() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    checks = dict(
        await asyncio.gather(_check("postgres", postgres()), _check("kubernetes", kube.ping()))
    )
    ready = all(value == "ok" for value in checks.values())
    response.status_code = 200 if ready else 503
    return Health(status="ok" if ready else "unavailable", checks=checks)


_METRICS_EXAMPLE = 'arkenos_api_requests_total{method="GET",route="/healthz",status="200"} 3.0\n'


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"example": _METRICS_EXAMPLE}}}},
)
async def metrics(http_metrics: HttpMetricsDep) -> Response:
    """Prometheus metrics of this process."""
    return Response(generate_latest(http_metrics.registry), media_type=CONTENT_TYPE_LATEST)
