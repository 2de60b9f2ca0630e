"""A Twilio REST API double: a real HTTP server speaking the parts of Twilio's API the
platform uses, so the ``twilio`` library runs unchanged against it.

Served on one port for both hosts Twilio splits them across: ``api.twilio.com`` (the
2010-04-01 API: AvailablePhoneNumbers, IncomingPhoneNumbers, SIP CredentialLists and
Credentials) and ``trunking.twilio.com`` (v1 Trunks with OriginationUrls, PhoneNumbers and
CredentialLists); their path prefixes (``/2010-04-01``, ``/v1``) don't overlap. Point the
client at it with a ``twilio.http`` client that rewrites the scheme and host of each URL.

Like Twilio it checks HTTP basic auth (account SID and auth token; a 401 with error 20003
otherwise), parses form bodies (PascalCase parameters, repeated keys, last one wins), answers
with Twilio's JSON shapes and paging envelopes, and keeps state in :class:`TwilioState`.

Tests use it like this::

    double = TwilioDouble()
    double.state.add_account("AC123", "token")
    double.state.seed_available("US", "Local", ["+14155550100"])
    double.faults.add("IncomingPhoneNumbers.create", 429)   # next purchase fails once
    double.faults.add("Trunks.list", None, delay=5)          # next trunk listing times out
    app = double.app()                                       # serve with tests.doubles.server

Operation names for faults and for :attr:`TwilioDouble.calls` are the route names:
``<Resource>.<list|create|fetch|update|delete>`` with resources Accounts, AvailablePhoneNumbers,
IncomingPhoneNumbers, CredentialLists, Credentials, Trunks, OriginationUrls,
TrunkPhoneNumbers, TrunkCredentialLists.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable

from aiohttp import web

from tests.doubles.faults import CallLog, Fault, FaultPlan
from tests.doubles.twilio import api2010, trunking, wire
from tests.doubles.twilio.state import TwilioError, TwilioState

__all__ = ["TwilioDouble", "TwilioError", "TwilioState"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_FAULT_CODES = {429: 20429, 500: 20500, 503: 20503}


class TwilioDouble:
    def __init__(self) -> None:
        self.state = TwilioState()
        self.faults = FaultPlan()
        #: Operation names of every authenticated request, in order.
        self.calls = CallLog()

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        app[api2010.STATE] = self.state
        app.add_routes(api2010.routes)
        app.add_routes(trunking.routes)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            request[api2010.ACCOUNT] = self._authenticate(request)
            operation = request.match_info.route.name or request.path
            self.calls.record(operation)
            _raise_fault(await self.faults.apply(operation))
            response = await handler(request)
            _raise_fault(await self.faults.apply(operation, after=True))
            return response
        except web.HTTPNotFound:
            return wire.error_response(
                TwilioError(404, 20404, f"The requested resource {request.path} was not found")
            )
        except TwilioError as err:
            response = wire.error_response(err)
            if err.status == 401:
                response.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
            return response

    def _authenticate(self, request: web.Request) -> str:
        header = request.headers.get("Authorization", "")
        scheme, _, encoded = header.partition(" ")
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user = password = ""
        account = self.state.accounts.get(user)
        if scheme.lower() != "basic" or account is None or account.auth_token != password:
            raise TwilioError(
                401, 20003, "Authenticate", "Your AccountSid or AuthToken was incorrect."
            )
        return user


def _raise_fault(fault: Fault | None) -> None:
    if fault is not None:
        status = fault.status or 500
        code = _FAULT_CODES.get(status, 20000 + status)
        raise TwilioError(status, code, fault.message or f"Injected fault {status}")
