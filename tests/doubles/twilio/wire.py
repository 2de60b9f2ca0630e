"""How the Twilio double speaks: JSON shapes of each resource, list pages, error bodies and
form parsing, following the 2010-04-01 API (RFC 2822 dates, ``uri`` fields, flat paging
envelope) and the v1 APIs (ISO 8601 dates, ``url`` fields, ``meta`` paging envelope).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from email.utils import format_datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

from aiohttp import web
from multidict import MultiDictProxy

from tests.doubles.twilio.state import (
    Account,
    AvailableNumber,
    Credential,
    CredentialList,
    IncomingNumber,
    OriginationUrl,
    Trunk,
    TwilioError,
)

API = "/2010-04-01"
TRUNKING_HOST = "https://trunking.twilio.com"

T = TypeVar("T")


def rfc2822(when: datetime) -> str:
    return format_datetime(when)


def iso8601(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def error_response(err: TwilioError) -> web.Response:
    body = {
        "code": err.code,
        "message": err.message,
        "more_info": f"https://www.twilio.com/docs/errors/{err.code}",
        "status": err.status,
    }
    if err.detail:
        body["detail"] = err.detail
    return web.json_response(body, status=err.status)


def form_value(form: MultiDictProxy[Any], name: str, required: bool = False) -> str | None:
    """A PascalCase form parameter as Twilio reads it: the last occurrence wins."""
    values = form.getall(name, [])
    if not values:
        if required:
            raise TwilioError(400, 21604, f"Missing required parameter {name} in the post body")
        return None
    return str(values[-1])


def form_bool(form: MultiDictProxy[Any], name: str, required: bool = False) -> bool | None:
    value = form_value(form, name, required)
    if value is None:
        return None
    if value.lower() not in ("true", "false"):
        raise TwilioError(400, 21605, f"{name} must be true or false, not {value!r}")
    return value.lower() == "true"


def _page_args(request: web.Request) -> tuple[int, int]:
    try:
        size = int(request.query.get("PageSize", "50"))
        page = int(request.query.get("Page", "0"))
    except ValueError:
        raise TwilioError(400, 20001, "PageSize and Page must be integers") from None
    if not 1 <= size <= 1000:
        raise TwilioError(400, 20001, "PageSize must be between 1 and 1000")
    return size, page


def _page_query(request: web.Request, size: int, page: int) -> str:
    query = {k: v for k, v in request.query.items() if k not in ("PageSize", "Page", "PageToken")}
    query.update(PageSize=str(size), Page=str(page))
    return urlencode(query)


def page_2010(
    request: web.Request, key: str, items: Sequence[T], render: Callable[[T], dict[str, Any]]
) -> web.Response:
    size, page = _page_args(request)
    chunk = items[page * size : (page + 1) * size]
    has_next = (page + 1) * size < len(items)
    path = request.path
    body: dict[str, Any] = {
        key: [render(item) for item in chunk],
        "start": page * size,
        "end": page * size + max(len(chunk) - 1, 0),
        "page": page,
        "page_size": size,
        "uri": f"{path}?{_page_query(request, size, page)}",
        "first_page_uri": f"{path}?{_page_query(request, size, 0)}",
        "next_page_uri": f"{path}?{_page_query(request, size, page + 1)}" if has_next else None,
        "previous_page_uri": (
            f"{path}?{_page_query(request, size, page - 1)}" if page > 0 else None
        ),
    }
    return web.json_response(body)


def page_v1(
    request: web.Request, key: str, items: Sequence[T], render: Callable[[T], dict[str, Any]]
) -> web.Response:
    size, page = _page_args(request)
    chunk = items[page * size : (page + 1) * size]
    has_next = (page + 1) * size < len(items)
    base = TRUNKING_HOST + request.path
    meta = {
        "key": key,
        "page": page,
        "page_size": size,
        "url": f"{base}?{_page_query(request, size, page)}",
        "first_page_url": f"{base}?{_page_query(request, size, 0)}",
        "next_page_url": f"{base}?{_page_query(request, size, page + 1)}" if has_next else None,
        "previous_page_url": f"{base}?{_page_query(request, size, page - 1)}" if page else None,
    }
    return web.json_response({key: [render(item) for item in chunk], "meta": meta})


#: The sub-resources Twilio lists on an account (the double serves only some of them).
_ACCOUNT_SUBRESOURCES = {
    "addresses": "Addresses",
    "applications": "Applications",
    "authorized_connect_apps": "AuthorizedConnectApps",
    "available_phone_numbers": "AvailablePhoneNumbers",
    "balance": "Balance",
    "calls": "Calls",
    "conferences": "Conferences",
    "connect_apps": "ConnectApps",
    "incoming_phone_numbers": "IncomingPhoneNumbers",
    "keys": "Keys",
    "messages": "Messages",
    "notifications": "Notifications",
    "outgoing_caller_ids": "OutgoingCallerIds",
    "queues": "Queues",
    "recordings": "Recordings",
    "short_codes": "SMS/ShortCodes",
    "signing_keys": "SigningKeys",
    "sip": "SIP",
    "transcriptions": "Transcriptions",
    "usage": "Usage",
}


def account(a: Account) -> dict[str, Any]:
    """GET /2010-04-01/Accounts/{Sid}.json. Twilio returns the auth token in it, and so does
    the double: whoever calls it must not pass the body on."""
    base = f"{API}/Accounts/{a.sid}"
    return {
        "auth_token": a.auth_token,
        "date_created": rfc2822(a.created),
        "date_updated": rfc2822(a.created),
        "friendly_name": a.friendly_name,
        "owner_account_sid": a.sid,
        "sid": a.sid,
        "status": "active",
        "subresource_uris": {
            key: f"{base}/{path}.json" for key, path in _ACCOUNT_SUBRESOURCES.items()
        },
        "type": "Full",
        "uri": f"{base}.json",
    }


def available_number(number: AvailableNumber) -> dict[str, Any]:
    return {
        "friendly_name": number.phone_number,
        "phone_number": number.phone_number,
        "lata": None,
        "locality": number.locality,
        "rate_center": None,
        "latitude": None,
        "longitude": None,
        "region": number.region,
        "postal_code": None,
        "iso_country": number.country,
        "address_requirements": "none",
        "beta": False,
        "capabilities": {"voice": number.voice, "SMS": True, "MMS": True, "fax": False},
    }


def incoming_number(number: IncomingNumber) -> dict[str, Any]:
    uri = f"{API}/Accounts/{number.account_sid}/IncomingPhoneNumbers/{number.sid}.json"
    return {
        "sid": number.sid,
        "account_sid": number.account_sid,
        "friendly_name": number.friendly_name,
        "phone_number": number.phone_number,
        "voice_url": number.voice_url,
        "voice_method": "POST",
        "trunk_sid": number.trunk_sid,
        "status": "in-use",
        "origin": "twilio",
        "beta": False,
        "api_version": "2010-04-01",
        "capabilities": {"voice": True, "sms": True, "mms": True, "fax": False},
        "date_created": rfc2822(number.created),
        "date_updated": rfc2822(number.updated),
        "uri": uri,
        "subresource_uris": {"assigned_add_ons": uri.replace(".json", "/AssignedAddOns.json")},
    }


def trunk_number(number: IncomingNumber) -> dict[str, Any]:
    body = incoming_number(number)
    body.pop("uri")
    body.pop("subresource_uris")
    body["url"] = f"{TRUNKING_HOST}/v1/Trunks/{number.trunk_sid}/PhoneNumbers/{number.sid}"
    body["date_created"] = iso8601(number.created)
    body["date_updated"] = iso8601(number.updated)
    body["links"] = {}
    return body


def trunk(t: Trunk) -> dict[str, Any]:
    url = f"{TRUNKING_HOST}/v1/Trunks/{t.sid}"
    return {
        "sid": t.sid,
        "account_sid": t.account_sid,
        "friendly_name": t.friendly_name,
        "domain_name": t.domain_name,
        "disaster_recovery_method": None,
        "disaster_recovery_url": None,
        "secure": False,
        "recording": {"mode": "do-not-record", "trim": "do-not-trim"},
        "transfer_mode": "disable-all",
        "transfer_caller_id": "from-transferee",
        "cnam_lookup_enabled": False,
        "auth_type": "CREDENTIAL_LIST" if t.credential_list_sids else "",
        "auth_type_set": ["CREDENTIAL_LIST"] if t.credential_list_sids else [],
        "symmetric_rtp_enabled": False,
        "date_created": iso8601(t.created),
        "date_updated": iso8601(t.updated),
        "url": url,
        "links": {
            "origination_urls": f"{url}/OriginationUrls",
            "credential_lists": f"{url}/CredentialLists",
            "ip_access_control_lists": f"{url}/IpAccessControlLists",
            "phone_numbers": f"{url}/PhoneNumbers",
        },
    }


def origination_url(url: OriginationUrl, account_sid: str) -> dict[str, Any]:
    return {
        "sid": url.sid,
        "account_sid": account_sid,
        "trunk_sid": url.trunk_sid,
        "sip_url": url.sip_url,
        "friendly_name": url.friendly_name,
        "weight": url.weight,
        "priority": url.priority,
        "enabled": url.enabled,
        "date_created": iso8601(url.created),
        "date_updated": iso8601(url.created),
        "url": f"{TRUNKING_HOST}/v1/Trunks/{url.trunk_sid}/OriginationUrls/{url.sid}",
    }


def credential_list(cl: CredentialList) -> dict[str, Any]:
    uri = f"{API}/Accounts/{cl.account_sid}/SIP/CredentialLists/{cl.sid}.json"
    return {
        "sid": cl.sid,
        "account_sid": cl.account_sid,
        "friendly_name": cl.friendly_name,
        "date_created": rfc2822(cl.created),
        "date_updated": rfc2822(cl.created),
        "uri": uri,
        "subresource_uris": {"credentials": uri.replace(".json", "/Credentials.json")},
    }


def trunk_credential_list(cl: CredentialList, trunk_sid: str) -> dict[str, Any]:
    return {
        "sid": cl.sid,
        "account_sid": cl.account_sid,
        "trunk_sid": trunk_sid,
        "friendly_name": cl.friendly_name,
        "date_created": iso8601(cl.created),
        "date_updated": iso8601(cl.created),
        "url": f"{TRUNKING_HOST}/v1/Trunks/{trunk_sid}/CredentialLists/{cl.sid}",
    }


def credential(cred: Credential, cl: CredentialList) -> dict[str, Any]:
    # Twilio never returns the password.
    return {
        "sid": cred.sid,
        "account_sid": cl.account_sid,
        "credential_list_sid": cl.sid,
        "username": cred.username,
        "date_created": rfc2822(cred.created),
        "date_updated": rfc2822(cred.created),
        "uri": f"{API}/Accounts/{cl.account_sid}/SIP/CredentialLists/{cl.sid}/Credentials/"
        f"{cred.sid}.json",
    }
