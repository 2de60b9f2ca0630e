"""Routes of the 2010-04-01 API the double serves: the Account itself (what a key check
fetches), AvailablePhoneNumbers, IncomingPhoneNumbers and SIP CredentialLists with their
Credentials."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from tests.doubles.twilio import wire
from tests.doubles.twilio.state import IncomingNumber, TwilioError, TwilioState

STATE = web.AppKey("twilio_state", TwilioState)
ACCOUNT = web.RequestKey("twilio_account", str)  # the authenticated account SID

routes = web.RouteTableDef()
BASE = wire.API + "/Accounts/{account}"


def _ctx(request: web.Request) -> tuple[TwilioState, str]:
    account = request.match_info["account"]
    if account != request[ACCOUNT]:
        raise TwilioError(404, 20404, f"The requested resource {request.path} was not found")
    return request.app[STATE], account


@routes.get(BASE + ".json", name="Accounts.fetch")
async def fetch_account(request: web.Request) -> web.Response:
    state, account = _ctx(request)
    with state.lock:
        return web.json_response(wire.account(state.account(account)))


@routes.get(
    BASE + "/AvailablePhoneNumbers/{country}/{kind}.json", name="AvailablePhoneNumbers.list"
)
async def list_available(request: web.Request) -> web.Response:
    state, _ = _ctx(request)
    numbers = state.search_available(
        request.match_info["country"],
        request.match_info["kind"],
        request.query.get("AreaCode"),
        request.query.get("Contains"),
        wire.form_bool(request.query, "VoiceEnabled"),
    )
    return wire.page_2010(request, "available_phone_numbers", numbers, wire.available_number)


@routes.get(BASE + "/IncomingPhoneNumbers.json", name="IncomingPhoneNumbers.list")
async def list_numbers(request: web.Request) -> web.Response:
    state, account = _ctx(request)
    wanted_number = request.query.get("PhoneNumber")
    wanted_name = request.query.get("FriendlyName")
    with state.lock:
        numbers = [
            n
            for n in state.account(account).numbers.values()
            if (not wanted_number or wanted_number.replace("*", "") in n.phone_number)
            and (wanted_name is None or n.friendly_name == wanted_name)
        ]
    return wire.page_2010(request, "incoming_phone_numbers", numbers, wire.incoming_number)


@routes.post(BASE + "/IncomingPhoneNumbers.json", name="IncomingPhoneNumbers.create")
async def buy_number(request: web.Request) -> web.Response:
    state, account = _ctx(request)
    form = await request.post()
    number = state.buy(
        account,
        wire.form_value(form, "PhoneNumber"),
        wire.form_value(form, "AreaCode"),
        wire.form_value(form, "FriendlyName") or "",
    )
    _apply_number_update(state, account, number.sid, form)
    return web.json_response(wire.incoming_number(number), status=201)


@routes.get(BASE + "/IncomingPhoneNumbers/{sid}.json", name="IncomingPhoneNumbers.fetch")
async def fetch_number(request: web.Request) -> web.Response:
    state, account = _ctx(request)
    return web.json_response(wire.incoming_number(state.number(account, request.match_info["sid"])))


@routes.post(BASE + "/IncomingPhoneNumbers/{sid}.json", name="IncomingPhoneNumbers.update")
async def update_number(request: web.Request) -> web.Response:
    state, account = _ctx(request)
    form = await request.post()
    number = _apply_number_update(state, account, request.match_info["sid"], form)
    return web.json_response(wire.incoming_number(number))


def _apply_number_update(
    state: TwilioState, account: str, sid: str, form: MultiDictProxy[Any]
) -> IncomingNumber:
    friendly_name = wire.form_value(form, "FriendlyName")
    trunk_sid = wire.form_value(form, "TrunkSid")
    voice_url = wire.form_value(form, "VoiceUrl")
    with state.lock:
        number = state.number(account, sid)
        if friendly_name is not None:
            number.friendly_name = friendly_name
        if voice_url is not None:
            number.voice_url = voice_url or None
        if trunk_sid is not None:
            if trunk_sid:
                state.associate(account, trunk_sid, sid)
            elif number.trunk_sid:
                state.disassociate(account, number.trunk_sid, sid)
        return number


@routes.delete(BASE + "/IncomingPhoneNumbers/{sid}.json", name="IncomingPhoneNumbers.delete")
async def release_number(request: web.Request) -> web.Response:
    state, account = _ctx(request)
    state.release(account, request.match_info["sid"])
    return web.Response(status=204)


@routes.get(BASE + "/SIP/CredentialLists.json", name="CredentialLists.list")
async def list_credential_lists(request: web.Request) -> web.Response:
    state, account = _ctx(request)
    with state.lock:
        lists = list(state.account(account).credential_lists.values())
    return wire.page_2010(request, "credential_lists", lists, wire.credential_list)


@routes.post(BASE + "/SIP/CredentialLists.json", name="CredentialLists.create")
async def create_credential_list(request: web.Request) -> web.Response:
    state, account = _ctx(request)
    form = await request.post()
    name = wire.form_value(form, "FriendlyName", required=True) or ""
    return web.json_response(
        wire.credential_list(state.create_credential_list(account, name)), status=201
    )


@routes.get(BASE + "/SIP/CredentialLists/{sid}.json", name="CredentialLists.fetch")
async def fetch_credential_list(request: web.Request) -> web.Response:
    state, account = _ctx(request)
    cl = state.credential_list(account, request.match_info["sid"])
    return web.json_response(wire.credential_list(cl))


@routes.delete(BASE + "/SIP/CredentialLists/{sid}.json", name="CredentialLists.delete")
async def delete_credential_list(request: web.Request) -> web.Response:
    state, account = _ctx(request)
    state.delete_credential_list(account, request.match_info["sid"])
    return web.Response(status=204)


@routes.get(BASE + "/SIP/CredentialLists/{list}/Credentials.json", name="Credentials.list")
async def list_credentials(request: web.Request) -> web.Response:
    state, account = _ctx(request)
    cl = state.credential_list(account, request.match_info["list"])
    with state.lock:
        creds = list(cl.credentials.values())
    return wire.page_2010(request, "credentials", creds, lambda c: wire.credential(c, cl))


@routes.post(BASE + "/SIP/CredentialLists/{list}/Credentials.json", name="Credentials.create")
async def create_credential(request: web.Request) -> web.Response:
    state, account = _ctx(request)
    form = await request.post()
    list_sid = request.match_info["list"]
    cred = state.add_credential(
        account,
        list_sid,
        wire.form_value(form, "Username", required=True) or "",
        wire.form_value(form, "Password", required=True) or "",
    )
    cl = state.credential_list(account, list_sid)
    return web.json_response(wire.credential(cred, cl), status=201)
