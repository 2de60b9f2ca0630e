"""A thin client for the Twilio calls the API makes (searching the inventory, looking up an owned
number), over the official ``twilio`` library and its aiohttp-based async HTTP client, so the
event loop never blocks.

The base URL is a setting (``ARKENOS_TWILIO_BASE_URL``): :class:`RebasedHttpClient` moves each
URL the library builds under it, so tests point the library at the Twilio double and
production talks to Twilio's own host (the default maps every URL to itself). Twilio's failures
become :class:`ApiError` with Twilio's own message: always a 4xx, since they are never a fault
of this server.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http import AsyncHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from arkenos_api.core.errors import ApiError

#: The path the library puts every 2010-04-01 API call under.
API_PATH = "/2010-04-01"
_LIBRARY_PREFIX = re.compile(r"^Unable to [a-z ]+ record: ")
_ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
T = TypeVar("T")


class RebasedHttpClient(AsyncHttpClient):  # type: ignore[misc]
    """The library's async HTTP transport over one aiohttp session for the app's lifetime,
    sending every request under ``base_url`` (a URL ending in ``/2010-04-01``) and keeping the
    rest of the path and the query.

    Its own aiohttp client is not used: it builds ``aiohttp.BasicAuth``, which aiohttp
    deprecates; this one sends the same Authorization header itself.
    """

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__(logging.getLogger(__name__), True, timeout)
        base = urlsplit(base_url.rstrip("/"))
        self._scheme, self._netloc = base.scheme, base.netloc
        self._prefix = base.path.removesuffix(API_PATH)
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout))

    def rebase(self, url: str) -> str:
        parts = urlsplit(url)
        return urlunsplit((self._scheme, self._netloc, self._prefix + parts.path, parts.query, ""))

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the library passes it
        allow_redirects: bool = False,
    ) -> Response:
        headers = dict(headers or {})
        if auth is not None:
            pair = f"{auth[0]}:{auth[1]}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        async with self._session.request(
            method.upper(),
            self.rebase(url),
            # The library has already serialised every value (strings, ints, lists of them).
            params=cast("dict[str, str]", params),
            data=data,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout or self.timeout),
            allow_redirects=allow_redirects,
        ) as response:
            return Response(response.status, await response.text(), response.headers)

    async def close(self) -> None:
        await self._session.close()


@dataclass(frozen=True)
class TwilioAccount:
    """Whose Twilio account a call uses: the workspace's own or the platform's."""

    account_sid: str
    auth_token: str
    #: Words for error messages: "the workspace's" or "the platform's".
    owner: str


@dataclass(frozen=True)
class AvailableNumber:
    phone_number: str
    friendly_name: str | None
    locality: str | None
    region: str | None
    postal_code: str | None
    iso_country: str | None
    address_requirements: str | None
    capabilities: dict[str, bool]


@dataclass(frozen=True)
class OwnedNumber:
    sid: str
    phone_number: str
    friendly_name: str | None


def _twilio_words(error: TwilioException) -> tuple[int | None, int | None, str]:
    """(HTTP status, Twilio error code, Twilio's message) of a failed request.

    Fetches raise TwilioRestException; list pages raise a bare TwilioException carrying the
    response, whose JSON body has the same ``code`` and ``message``.
    """
    if isinstance(error, TwilioRestException):
        return error.status, error.code, _LIBRARY_PREFIX.sub("", error.msg or str(error))
    response = error.args[1] if len(error.args) > 1 else None
    if not isinstance(response, Response):
        return None, None, str(error)
    try:
        body = json.loads(response.text)
    except ValueError:
        return response.status_code, None, response.text[:500]
    if not isinstance(body, dict):
        return response.status_code, None, response.text[:500]
    code = body.get("code")
    return (
        response.status_code,
        code if isinstance(code, int) else None,
        str(body.get("message") or response.text[:500]),
    )


def twilio_error(error: TwilioException, account: TwilioAccount) -> ApiError:
    """Twilio's refusal as a 4xx with Twilio's words (account SIDs shortened to their last
    four): 424 for refused credentials or Twilio failing, 429 when it throttles, 400 else."""
    status, code, message = _twilio_words(error)
    message = _ACCOUNT_SID.sub(lambda m: "AC…" + m.group(0)[-4:], message)
    said = f"Twilio error {code}: {message}" if code else f"Twilio: {message}"
    if status in (401, 403):
        return ApiError(
            424,
            "twilio_credentials_rejected",
            f"{said} (Twilio refused {account.owner} credentials: check the account SID and "
            "auth token)",
        )
    if status == 429:
        return ApiError(429, "twilio_throttled", said)
    if status is None or status >= 500:
        return ApiError(424, "twilio_unavailable", f"{said} (try again)")
    return ApiError(400, "twilio_error", said)


async def _call(account: TwilioAccount, call: Awaitable[T]) -> T:
    try:
        return await call
    except TwilioException as error:
        raise twilio_error(error, account) from error
    except (TimeoutError, aiohttp.ClientError) as error:
        raise ApiError(
            424, "twilio_unavailable", f"Twilio did not answer ({type(error).__name__}): try again"
        ) from error


class TwilioNumbers:
    """One Twilio account's numbers, for one request."""

    def __init__(self, account: TwilioAccount, http_client: RebasedHttpClient) -> None:
        self.account = account
        self._client = Client(account.account_sid, account.auth_token, http_client=http_client)

    async def search_available(
        self,
        *,
        country: str,
        number_type: str,
        area_code: str | None,
        contains: str | None,
        voice: bool | None,
        limit: int,
    ) -> list[AvailableNumber]:
        country_numbers = self._client.api.v2010.account.available_phone_numbers(country)
        listing = {
            "Local": country_numbers.local,
            "TollFree": country_numbers.toll_free,
            "Mobile": country_numbers.mobile,
        }[number_type]
        filters: dict[str, Any] = {"limit": limit}
        if area_code:
            filters["area_code"] = int(area_code)
        if contains:
            filters["contains"] = contains
        if voice is not None:
            filters["voice_enabled"] = voice
        records = await _call(self.account, listing.list_async(**filters))
        return [_available(r) for r in records]

    async def find_owned(self, phone_number: str) -> OwnedNumber | None:
        numbers = self._client.api.v2010.account.incoming_phone_numbers
        records = await _call(self.account, numbers.list_async(phone_number=phone_number))
        return next(
            (
                OwnedNumber(r.sid, r.phone_number, r.friendly_name)
                for r in records
                if r.phone_number == phone_number
            ),
            None,
        )


def _available(record: Any) -> AvailableNumber:
    capabilities = record.capabilities or {}
    return AvailableNumber(
        phone_number=record.phone_number,
        friendly_name=record.friendly_name,
        locality=record.locality,
        region=record.region,
        postal_code=record.postal_code,
        iso_country=record.iso_country,
        address_requirements=record.address_requirements,
        capabilities={
            "voice": bool(capabilities.get("voice")),
            "sms": bool(capabilities.get("SMS", capabilities.get("sms"))),
            "mms": bool(capabilities.get("MMS", capabilities.get("mms"))),
            "fax": bool(capabilities.get("fax")),
        },
    )
