"""Routes of the trunking v1 API the double serves: Trunks and their OriginationUrls,
PhoneNumbers and CredentialLists."""

from __future__ import annotations

from aiohttp import web

from tests.doubles.twilio import wire
from tests.doubles.twilio.api2010 import ACCOUNT, STATE
from tests.doubles.twilio.state import Trunk, TwilioError, TwilioState, not_found

routes = web.RouteTableDef()


def _ctx(request: web.Request) -> tuple[TwilioState, str]:
    return request.app[STATE], request[ACCOUNT]


def _trunk(request: web.Request) -> tuple[TwilioState, str, Trunk]:
    state, account = _ctx(request)
    return state, account, state.trunk(account, request.match_info["trunk"])


@routes.get("/v1/Trunks", name="Trunks.list")
async def list_trunks(request: web.Request) -> web.Response:
    state, account = _ctx(request)
    with state.lock:
        trunks = list(state.account(account).trunks.values())
    return wire.page_v1(request, "trunks", trunks, wire.trunk)


@routes.post("/v1/Trunks", name="Trunks.create")
async def create_trunk(request: web.Request) -> web.Response:
    state, account = _ctx(request)
    form = await request.post()
    trunk = state.create_trunk(
        account, wire.form_value(form, "FriendlyName") or "", wire.form_value(form, "DomainName")
    )
    return web.json_response(wire.trunk(trunk), status=201)


@routes.get("/v1/Trunks/{trunk}", name="Trunks.fetch")
async def fetch_trunk(request: web.Request) -> web.Response:
    _, _, trunk = _trunk(request)
    return web.json_response(wire.trunk(trunk))


@routes.post("/v1/Trunks/{trunk}", name="Trunks.update")
async def update_trunk(request: web.Request) -> web.Response:
    state, _, trunk = _trunk(request)
    form = await request.post()
    with state.lock:
        name = wire.form_value(form, "FriendlyName")
        if name is not None:
            trunk.friendly_name = name
        domain = wire.form_value(form, "DomainName")
        if domain is not None:
            trunk.domain_name = domain or None
    return web.json_response(wire.trunk(trunk))


@routes.delete("/v1/Trunks/{trunk}", name="Trunks.delete")
async def delete_trunk(request: web.Request) -> web.Response:
    state, account = _ctx(request)
    state.delete_trunk(account, request.match_info["trunk"])
    return web.Response(status=204)


@routes.get("/v1/Trunks/{trunk}/OriginationUrls", name="OriginationUrls.list")
async def list_origination_urls(request: web.Request) -> web.Response:
    state, account, trunk = _trunk(request)
    with state.lock:
        urls = list(trunk.origination_urls.values())
    return wire.page_v1(
        request, "origination_urls", urls, lambda u: wire.origination_url(u, account)
    )


@routes.post("/v1/Trunks/{trunk}/OriginationUrls", name="OriginationUrls.create")
async def create_origination_url(request: web.Request) -> web.Response:
    state, account, trunk = _trunk(request)
    form = await request.post()
    try:
        weight = int(wire.form_value(form, "Weight", required=True) or "")
        priority = int(wire.form_value(form, "Priority", required=True) or "")
    except ValueError:
        raise TwilioError(400, 21606, "Weight and Priority must be integers") from None
    url = state.add_origination_url(
        account,
        trunk.sid,
        wire.form_value(form, "SipUrl", required=True) or "",
        wire.form_value(form, "FriendlyName", required=True) or "",
        weight,
        priority,
        bool(wire.form_bool(form, "Enabled", required=True)),
    )
    return web.json_response(wire.origination_url(url, account), status=201)


@routes.delete("/v1/Trunks/{trunk}/OriginationUrls/{sid}", name="OriginationUrls.delete")
async def delete_origination_url(request: web.Request) -> web.Response:
    state, _, trunk = _trunk(request)
    with state.lock:
        if trunk.origination_urls.pop(request.match_info["sid"], None) is None:
            raise not_found(request.path)
    return web.Response(status=204)


@routes.get("/v1/Trunks/{trunk}/PhoneNumbers", name="TrunkPhoneNumbers.list")
async def list_trunk_numbers(request: web.Request) -> web.Response:
    state, account, trunk = _trunk(request)
    with state.lock:
        numbers = [n for n in state.account(account).numbers.values() if n.trunk_sid == trunk.sid]
    return wire.page_v1(request, "phone_numbers", numbers, wire.trunk_number)


@routes.post("/v1/Trunks/{trunk}/PhoneNumbers", name="TrunkPhoneNumbers.create")
async def associate_number(request: web.Request) -> web.Response:
    state, account, trunk = _trunk(request)
    form = await request.post()
    sid = wire.form_value(form, "PhoneNumberSid", required=True) or ""
    number = state.associate(account, trunk.sid, sid)
    return web.json_response(wire.trunk_number(number), status=201)


@routes.delete("/v1/Trunks/{trunk}/PhoneNumbers/{sid}", name="TrunkPhoneNumbers.delete")
async def disassociate_number(request: web.Request) -> web.Response:
    state, account, trunk = _trunk(request)
    state.disassociate(account, trunk.sid, request.match_info["sid"])
    return web.Response(status=204)


@routes.get("/v1/Trunks/{trunk}/CredentialLists", name="TrunkCredentialLists.list")
async def list_trunk_credential_lists(request: web.Request) -> web.Response:
    state, account, trunk = _trunk(request)
    with state.lock:
        lists = [state.credential_list(account, sid) for sid in trunk.credential_list_sids]
    return wire.page_v1(
        request, "credential_lists", lists, lambda cl: wire.trunk_credential_list(cl, trunk.sid)
    )


@routes.post("/v1/Trunks/{trunk}/CredentialLists", name="TrunkCredentialLists.create")
async def attach_credential_list(request: web.Request) -> web.Response:
    state, account, trunk = _trunk(request)
    form = await request.post()
    sid = wire.form_value(form, "CredentialListSid", required=True) or ""
    state.attach_credential_list(account, trunk.sid, sid)
    cl = state.credential_list(account, sid)
    return web.json_response(wire.trunk_credential_list(cl, trunk.sid), status=201)


@routes.delete("/v1/Trunks/{trunk}/CredentialLists/{sid}", name="TrunkCredentialLists.delete")
async def detach_credential_list(request: web.Request) -> web.Response:
    state, _, trunk = _trunk(request)
    with state.lock:
        sid = request.match_info["sid"]
        if sid not in trunk.credential_list_sids:
            raise TwilioError(404, 20404, f"The requested resource {request.path} was not found")
        trunk.credential_list_sids.remove(sid)
    return web.Response(status=204)
