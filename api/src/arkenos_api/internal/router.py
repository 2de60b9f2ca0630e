"""The workers' endpoints at the contract's paths (arkenos_crds.runtime), authenticated by
workload identity rather than by user sessions."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Request, Response, status
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from arkenos_api.code.storage import ObjectReader
from arkenos_api.core.errors import ApiError, ErrorBody
from arkenos_api.deps import (
    CodeStoreDep,
    KeyringDep,
    KubeDep,
    LiveKitDep,
    RuntimeConfigsDep,
    SessionDep,
    SessionmakerDep,
    SessionOwnersDep,
    SettingsDep,
    TokenReviewsDep,
)
from arkenos_api.internal import artifacts, examples, service, telephony
from arkenos_api.internal.examples import json_example
from arkenos_api.internal.identity import Workload, review_operator_token, review_token
from arkenos_api.internal.readiness import agent_readiness
from arkenos_api.internal.runtime_config import resolve_runtime_config
from arkenos_crds.meta import SHA256_DIGEST
from arkenos_crds.runtime import (
    AGENT_ARTIFACT_PATH,
    AGENT_BUNDLE_PATH,
    AGENT_READINESS_PATH,
    RUNTIME_CONFIG_PATH,
    SESSION_END_PATH,
    SESSION_EVENTS_PATH,
    SESSION_HANGUP_PATH,
    SESSION_TRANSFER_PATH,
    SESSIONS_PATH,
    AgentReadiness,
    BatchAccepted,
    EventBatch,
    RuntimeConfig,
    SessionEnd,
    SessionStart,
    SessionStarted,
    SessionTransfer,
)

_workload_scheme = HTTPBearer(
    scheme_name="WorkloadToken",
    auto_error=False,
    description="A projected ServiceAccount token with audience arkenos-api.",
)


async def _workload(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_workload_scheme)],
    kube: KubeDep,
    settings: SettingsDep,
    reviews: TokenReviewsDep,
) -> Workload:
    if credentials is None:
        raise ApiError(401, "unauthenticated", "send the workload token as a Bearer token")
    return await review_token(
        kube=kube,
        cache=reviews,
        token=credentials.credentials,
        platform_namespace=settings.platform_namespace,
    )


async def _operator(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_workload_scheme)],
    kube: KubeDep,
    settings: SettingsDep,
    reviews: TokenReviewsDep,
) -> str:
    if credentials is None:
        raise ApiError(401, "unauthenticated", "send the operator's token as a Bearer token")
    return await review_operator_token(
        kube=kube,
        cache=reviews,
        token=credentials.credentials,
        operator_username=settings.operator_username,
    )


WorkloadDep = Annotated[Workload, Depends(_workload)]
OperatorDep = Annotated[str, Depends(_operator)]
SessionId = Annotated[uuid.UUID, Path(description="Id from the session registration.")]
WorkspaceName = Annotated[str, Path(description="Workspace (namespace).", examples=["acme"])]
AgentName = Annotated[str, Path(description="VoiceAgent name.", examples=["front-desk"])]
Digest = Annotated[
    str,
    Path(
        description="sha256 of the object's bytes.",
        pattern=SHA256_DIGEST,
        examples=["sha256:" + "0" * 64],
    ),
]
_errors: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody},
    403: {"model": ErrorBody},
    404: {"model": ErrorBody},
}

router = APIRouter(tags=["internal"], responses=_errors)


@router.get(
    RUNTIME_CONFIG_PATH,
    response_model=RuntimeConfig,
    responses={
        200: json_example(examples.RUNTIME_CONFIG, "The resolved config and its keys."),
        424: {
            "model": ErrorBody,
            "description": "A provider key or the credentials Secret "
            "is missing; the message names it.",
        },
    },
)
async def runtime_config(
    workspace: Annotated[str, Path(description="Workspace (namespace).", examples=["acme"])],
    agent: Annotated[str, Path(description="VoiceAgent name.", examples=["front-desk"])],
    workload: WorkloadDep,
    db_session: SessionDep,
    kube: KubeDep,
    keyring: KeyringDep,
    cache: RuntimeConfigsDep,
) -> Response:
    """The agent's resolved config and exactly the keys its providers need."""
    body = await resolve_runtime_config(
        db_session=db_session,
        kube=kube,
        keyring=keyring,
        cache=cache,
        workload=workload,
        namespace=workspace,
        name=agent,
    )
    # Already serialised (and cached) from a validated RuntimeConfig.
    return Response(body, media_type="application/json")


@router.post(
    SESSIONS_PATH,
    status_code=status.HTTP_201_CREATED,
    responses={
        201: json_example(examples.SESSION_STARTED, "Registered."),
        200: {
            "model": SessionStarted,
            **json_example(examples.SESSION_STARTED, "Already registered (a retry)."),
        },
    },
)
async def register_session(
    body: Annotated[SessionStart, Body(examples=[examples.SESSION_START])],
    response: Response,
    workload: WorkloadDep,
    db_session: SessionDep,
    kube: KubeDep,
) -> SessionStarted:
    """Register a call when it starts; a retry with the same jobId returns the same id."""
    session_id, created = await service.register_session(
        db_session=db_session, kube=kube, workload=workload, start=body
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return SessionStarted(session_id=session_id)


@router.post(
    SESSION_EVENTS_PATH,
    responses={200: json_example(examples.BATCH_ACCEPTED, "How many events were new.")},
)
async def post_events(
    session_id: SessionId,
    body: Annotated[EventBatch, Body(examples=[examples.EVENT_BATCH])],
    workload: WorkloadDep,
    sessionmaker: SessionmakerDep,
    owners: SessionOwnersDep,
) -> BatchAccepted:
    """Store a batch of events; events whose seq is already stored are counted as duplicates."""
    return await service.store_events(
        sessionmaker=sessionmaker,
        owners=owners,
        workload=workload,
        session_id=session_id,
        batch=body,
    )


@router.post(SESSION_END_PATH, status_code=status.HTTP_204_NO_CONTENT)
async def end_session(
    session_id: SessionId,
    body: Annotated[SessionEnd, Body(examples=[examples.SESSION_END])],
    workload: WorkloadDep,
    db_session: SessionDep,
    owners: SessionOwnersDep,
) -> None:
    """Close the session when the call ends."""
    await service.end_session(
        db_session=db_session,
        owners=owners,
        workload=workload,
        session_id=session_id,
        end=body,
    )


_call_errors: dict[int | str, dict[str, object]] = {
    409: {"model": ErrorBody, "description": "The call has ended (or is not a phone call)."},
    502: {"model": ErrorBody, "description": "LiveKit refused; the message is LiveKit's."},
    503: {"model": ErrorBody, "description": "No LiveKit server is configured."},
}


@router.post(SESSION_HANGUP_PATH, status_code=status.HTTP_204_NO_CONTENT, responses=_call_errors)
async def hang_up(
    session_id: SessionId,
    workload: WorkloadDep,
    db_session: SessionDep,
    owners: SessionOwnersDep,
    livekit: LiveKitDep,
) -> None:
    """End the workload's own live call for everyone in it (the room is deleted)."""
    await telephony.hang_up(
        db_session=db_session,
        owners=owners,
        livekit=livekit,
        workload=workload,
        session_id=session_id,
    )


@router.post(
    SESSION_TRANSFER_PATH,
    status_code=status.HTTP_204_NO_CONTENT,
    responses={
        **_call_errors,
        422: {"model": ErrorBody, "description": "The destination may not be called."},
    },
)
async def transfer(
    session_id: SessionId,
    body: Annotated[SessionTransfer, Body(examples=[{"to": "+14155550199"}])],
    workload: WorkloadDep,
    db_session: SessionDep,
    owners: SessionOwnersDep,
    livekit: LiveKitDep,
    settings: SettingsDep,
) -> None:
    """Transfer the phone caller of the workload's own live call, within the workspace's
    destination rules (the same as the dashboard's transfer)."""
    await telephony.transfer(
        db_session=db_session,
        owners=owners,
        livekit=livekit,
        settings=settings,
        workload=workload,
        session_id=session_id,
        body=body,
    )


@router.get(
    AGENT_READINESS_PATH,
    responses={
        200: json_example(
            {"ready": False, "reason": "ProviderKeyMissing", "message": "no key for cartesia"},
            "Whether a call would be served now.",
        )
    },
)
async def readiness(
    namespace: Annotated[str, Path(description="Namespace of the agent.", examples=["acme"])],
    name: Annotated[str, Path(description="VoiceAgent name.", examples=["front-desk"])],
    operator: OperatorDep,
    db_session: SessionDep,
    kube: KubeDep,
    keyring: KeyringDep,
    cache: RuntimeConfigsDep,
) -> AgentReadiness:
    """For the operator: whether a call to the agent would be served now, and if not, why
    (NotAWorkspace, ProviderKeyMissing naming the provider, SecretMissing)."""
    return await agent_readiness(
        db_session=db_session,
        kube=kube,
        keyring=keyring,
        cache=cache,
        namespace=namespace,
        name=name,
    )


_STORED = {"digest": "sha256:" + "0" * 64, "size": 18204, "created": False}
_gzip: dict[str, Any] = {
    "content": {
        "application/gzip": {
            "schema": {"type": "string", "format": "binary"},
            "example": "<the gzipped tar's bytes>",
        }
    }
}


@router.get(
    AGENT_BUNDLE_PATH,
    response_class=StreamingResponse,
    responses={200: {**_gzip, "description": "The bundle (a gzipped tar of the files)."}},
)
async def bundle(
    workspace: WorkspaceName,
    agent: AgentName,
    digest: Digest,
    workload: WorkloadDep,
    db_session: SessionDep,
    store: CodeStoreDep,
) -> StreamingResponse:
    """For the agent's build Job: a bundle deployed for this agent (403 for any other)."""
    reader = await artifacts.open_bundle(
        db_session=db_session,
        store=store,
        workload=workload,
        namespace=workspace,
        agent=agent,
        digest=digest,
    )
    return _stream(reader)


@router.get(
    AGENT_ARTIFACT_PATH,
    response_class=StreamingResponse,
    responses={200: {**_gzip, "description": "The artifact (code and installed requirements)."}},
)
async def artifact(
    workspace: WorkspaceName,
    agent: AgentName,
    digest: Digest,
    workload: WorkloadDep,
    store: CodeStoreDep,
) -> StreamingResponse:
    """For the agent's serving pods: an artifact its build stored."""
    reader = await artifacts.open_artifact(
        store=store, workload=workload, namespace=workspace, agent=agent, digest=digest
    )
    return _stream(reader)


@router.put(
    AGENT_ARTIFACT_PATH,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {
            "model": artifacts.ArtifactStored,
            **json_example(_STORED, "Stored already (the same bytes): nothing written."),
        },
        201: json_example({**_STORED, "created": True}, "Stored."),
        413: {"model": ErrorBody, "description": "Larger than the artifact limit."},
        422: {"model": ErrorBody, "description": "The bytes do not hash to the digest."},
    },
    openapi_extra={"requestBody": {"required": True, **_gzip}},
)
async def upload_artifact(
    workspace: WorkspaceName,
    agent: AgentName,
    digest: Digest,
    request: Request,
    workload: WorkloadDep,
    store: CodeStoreDep,
    settings: SettingsDep,
    response: Response,
) -> artifacts.ArtifactStored:
    """For the agent's build Job: store the artifact it built, under the agent's own name."""
    stored = await artifacts.store_artifact(
        store=store,
        workload=workload,
        namespace=workspace,
        agent=agent,
        digest=digest,
        body=request.stream(),
        max_bytes=settings.artifact_max_bytes,
    )
    if not stored.created:
        response.status_code = status.HTTP_200_OK
    return stored


def _stream(reader: ObjectReader) -> StreamingResponse:
    headers = {} if reader.size is None else {"Content-Length": str(reader.size)}
    return StreamingResponse(reader.chunks(), media_type=artifacts.CONTENT_TYPE, headers=headers)
