"""A LiveKit server API double: a real HTTP server speaking Twirp, so ``livekit-api``'s
``LiveKitAPI`` runs unchanged against it (``LiveKitAPI(double_url, key, secret)``).

Serves ``POST /twirp/livekit.<Service>/<Method>`` with protobuf (``application/protobuf``) and
JSON (``application/json``) bodies for:

- ``SIP``: CreateSIPInboundTrunk, UpdateSIPInboundTrunk (replace), CreateSIPOutboundTrunk,
  ListSIPInboundTrunk, ListSIPOutboundTrunk, DeleteSIPTrunk, CreateSIPDispatchRule,
  UpdateSIPDispatchRule, ListSIPDispatchRule, DeleteSIPDispatchRule, CreateSIPParticipant,
  TransferSIPParticipant;
- ``RoomService``: CreateRoom, ListRooms, DeleteRoom, ListParticipants;
- ``AgentDispatchService``: CreateDispatch, ListDispatch, DeleteDispatch.

Like LiveKit it checks the bearer JWT (HS256 with a known API key's secret, ``iss`` = the key,
not expired) and the grants each method needs, keeps state (:class:`LiveKitState`), and
answers errors as Twirp does: JSON ``{"code": ..., "msg": ...}`` with the matching HTTP
status. ``state.simulate_inbound_call(to, from)`` routes a call the way LiveKit's SIP service
would, so a test can check where a phone call would land.

Faults are keyed ``<Service>/<Method>`` (``"SIP/CreateSIPInboundTrunk"``)::

    double = LiveKitDouble(keys={"devkey": "secret"})
    double.faults.add("SIP/CreateSIPDispatchRule", 503)          # fails once
    double.faults.add("RoomService/CreateRoom", None, delay=15)  # times out the client
    double.faults.add(                                             # a callee who is busy
        "SIP/TransferSIPParticipant", 400, message="transfer failed",
        meta={"sip_status_code": "486", "sip_status": "Busy Here"},
    )
"""

from __future__ import annotations

import json
from typing import Any

import jwt
from aiohttp import web
from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message
from livekit.api.access_token import Claims, TokenVerifier

from tests.doubles.faults import CallLog, Fault, FaultPlan
from tests.doubles.livekit.services import METHODS
from tests.doubles.livekit.state import InboundCall, LiveKitState, TwirpError

__all__ = ["InboundCall", "LiveKitDouble", "LiveKitState", "TwirpError"]

PROTOBUF = "application/protobuf"
JSON = "application/json"

#: Twirp error codes and their HTTP statuses (twirp's spec).
STATUS = {
    "canceled": 408,
    "unknown": 500,
    "invalid_argument": 400,
    "malformed": 400,
    "deadline_exceeded": 408,
    "not_found": 404,
    "bad_route": 404,
    "already_exists": 409,
    "permission_denied": 403,
    "unauthenticated": 401,
    "resource_exhausted": 429,
    "failed_precondition": 412,
    "aborted": 409,
    "out_of_range": 400,
    "unimplemented": 501,
    "internal": 500,
    "unavailable": 503,
    "dataloss": 500,
}
_FAULT_CODES = {
    400: "invalid_argument",
    404: "not_found",
    429: "resource_exhausted",
    500: "internal",
    503: "unavailable",
}


class LiveKitDouble:
    def __init__(self, keys: dict[str, str] | None = None) -> None:
        #: API key -> secret; tokens signed with any of them are accepted.
        self.keys = dict(keys or {"devkey": "devsecret-devsecret-devsecret-0001"})
        self.state = LiveKitState()
        self.faults = FaultPlan()
        #: ``<Service>/<Method>`` of every authenticated request, in order.
        self.calls = CallLog()

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/twirp/livekit.{service}/{method}", self._handle)
        return app

    async def _handle(self, request: web.Request) -> web.Response:
        operation = f"{request.match_info['service']}/{request.match_info['method']}"
        content_type = request.content_type
        try:
            method = METHODS.get(operation)
            if method is None or content_type not in (PROTOBUF, JSON):
                raise TwirpError("bad_route", f"no handler for path {request.path!r}")
            claims = self._verify(request)
            body = _decode(await request.read(), content_type, method.request)
            problem = method.authorize(claims, body)
            if problem:
                raise TwirpError("permission_denied", problem)
            self.calls.record(operation)
            _raise_fault(await self.faults.apply(operation))
            reply = method.handler(self.state, body)
            _raise_fault(await self.faults.apply(operation, after=True))
        except TwirpError as err:
            payload: dict[str, Any] = {"code": err.code, "msg": err.msg}
            if err.meta:
                payload["meta"] = err.meta
            return web.json_response(payload, status=STATUS[err.code])
        return _encode(reply, content_type)

    def _verify(self, request: web.Request) -> Claims:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise TwirpError("unauthenticated", "no authorization header")
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss", "")
        except jwt.PyJWTError as error:
            raise TwirpError("unauthenticated", f"invalid token: {error}") from error
        secret = self.keys.get(issuer)
        if secret is None:
            raise TwirpError("unauthenticated", "invalid API key")
        try:
            return TokenVerifier(issuer, secret).verify(token)
        except jwt.PyJWTError as error:
            raise TwirpError("unauthenticated", f"invalid token: {error}") from error


def _decode(raw: bytes, content_type: str, request_class: type[Message]) -> Any:
    message = request_class()
    try:
        if content_type == PROTOBUF:
            message.ParseFromString(raw)
        else:
            json_format.Parse(raw or b"{}", message, ignore_unknown_fields=True)
    except (DecodeError, json_format.ParseError, json.JSONDecodeError) as error:
        raise TwirpError("malformed", f"the request body could not be decoded: {error}") from error
    return message


def _encode(reply: Message, content_type: str) -> web.Response:
    if content_type == PROTOBUF:
        return web.Response(body=reply.SerializeToString(), content_type=PROTOBUF)
    body = json_format.MessageToDict(reply, preserving_proto_field_name=True)
    return web.json_response(body)


def _raise_fault(fault: Fault | None) -> None:
    if fault is not None:
        status = fault.status or 500
        code = _FAULT_CODES.get(status, "internal" if status >= 500 else "invalid_argument")
        raise TwirpError(code, fault.message or f"injected fault {status}", fault.meta)
