"""A thin async client for the Twilio objects a phone line needs, over the official ``twilio``
library.

The library is synchronous (``requests``), so every call runs in a worker thread and the
operator's event loop never blocks. Its records are flattened into small dataclasses, and its
exceptions into :class:`ServiceError`.

In tests the operator setting ``twilio_base_url`` points the library at the Twilio double:
:class:`RebasedHttpClient` swaps the scheme and host of each URL the library builds and leaves
everything else (request building, auth, paging, parsing) to the library, unchanged.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from arkenos_operator.phonenumber.errors import ServiceError

SERVICE = "Twilio"
_LIBRARY_PREFIX = re.compile(r"^Unable to [a-z ]+ record: ")
T = TypeVar("T")


class RebasedHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """Sends every request to ``base_url`` (scheme and host), keeping path and query."""

    def __init__(self, base_url: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self._base = urlsplit(base_url)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        parts = urlsplit(url)
        rebased = urlunsplit(
            (self._base.scheme, self._base.netloc, parts.path, parts.query, parts.fragment)
        )
        return super().request(method, rebased, *args, **kwargs)


def make_http_client(base_url: str | None, timeout: float) -> TwilioHttpClient:
    """The process-wide HTTP client (one connection pool), created at startup."""
    if base_url:
        return RebasedHttpClient(base_url, timeout)
    return TwilioHttpClient(timeout=timeout)


@dataclass(frozen=True)
class NumberRecord:
    sid: str
    phone_number: str
    friendly_name: str
    trunk_sid: str | None


@dataclass(frozen=True)
class TrunkRecord:
    sid: str
    friendly_name: str
    domain_name: str | None


@dataclass(frozen=True)
class CredentialListRecord:
    sid: str
    friendly_name: str


def service_error(error: TwilioException) -> ServiceError:
    """The status and Twilio's own message of a failed request.

    Fetches and updates raise TwilioRestException; list pages raise a bare TwilioException
    carrying the response, whose JSON body has the same ``message``.
    """
    if isinstance(error, TwilioRestException):
        # The library prefixes Twilio's message with its own ("Unable to create record: ").
        message = _LIBRARY_PREFIX.sub("", error.msg or str(error))
        return ServiceError(SERVICE, error.status, message, error.code)
    response = error.args[1] if len(error.args) > 1 else None
    if isinstance(response, Response):
        try:
            message = str(json.loads(response.text).get("message") or response.text)
        except (ValueError, AttributeError):
            message = response.text
        return ServiceError(SERVICE, response.status_code, message)
    return ServiceError(SERVICE, None, str(error))


def _number(record: Any) -> NumberRecord:
    return NumberRecord(record.sid, record.phone_number, record.friendly_name, record.trunk_sid)


def _trunk(record: Any) -> TrunkRecord:
    return TrunkRecord(record.sid, record.friendly_name, record.domain_name)


class TwilioClient:
    """One Twilio account's API, for one reconcile."""

    def __init__(self, account_sid: str, auth_token: str, http_client: TwilioHttpClient) -> None:
        self._client = Client(account_sid, auth_token, http_client=http_client)

    async def _call(self, fn: Callable[[], T], missing_ok: bool = False) -> T | None:
        try:
            return await asyncio.to_thread(fn)
        except OSError as error:
            # requests' errors (timeouts, refused connections) are OSErrors.
            raise ServiceError(SERVICE, None, f"request failed: {error}") from error
        except TwilioException as error:
            failure = service_error(error)
            if missing_ok and failure.status == 404:
                return None
            raise failure from error

    async def _must(self, fn: Callable[[], T]) -> T:
        result = await self._call(fn)
        assert result is not None  # _call returns None only with missing_ok
        return result

    # --- numbers ------------------------------------------------------------------------------

    async def find_numbers(
        self, *, phone_number: str | None = None, friendly_name: str | None = None
    ) -> list[NumberRecord]:
        numbers = self._client.api.v2010.account.incoming_phone_numbers
        records = await self._must(
            lambda: numbers.list(phone_number=phone_number, friendly_name=friendly_name)
        )
        return [_number(r) for r in records]

    async def search_available(
        self, country: str, number_type: str, area_code: str | None, contains: str | None
    ) -> list[str]:
        country_numbers = self._client.api.v2010.account.available_phone_numbers(country)
        listing = {
            "Local": country_numbers.local,
            "TollFree": country_numbers.toll_free,
            "Mobile": country_numbers.mobile,
        }[number_type]
        area = int(area_code) if area_code else None
        records = await self._must(
            lambda: listing.list(area_code=area, contains=contains, voice_enabled=True, limit=20)
        )
        return [r.phone_number for r in records]

    async def buy_number(self, phone_number: str, friendly_name: str) -> NumberRecord:
        numbers = self._client.api.v2010.account.incoming_phone_numbers
        record = await self._must(
            lambda: numbers.create(phone_number=phone_number, friendly_name=friendly_name)
        )
        return _number(record)

    async def fetch_number(self, sid: str) -> NumberRecord | None:
        context = self._client.api.v2010.account.incoming_phone_numbers(sid)
        record = await self._call(context.fetch, missing_ok=True)
        return _number(record) if record is not None else None

    async def release_number(self, sid: str) -> None:
        await self._call(self._client.api.v2010.account.incoming_phone_numbers(sid).delete, True)

    # --- trunks -------------------------------------------------------------------------------

    async def find_trunk(self, friendly_name: str) -> TrunkRecord | None:
        records = await self._must(lambda: self._client.trunking.v1.trunks.list())
        return next((_trunk(r) for r in records if r.friendly_name == friendly_name), None)

    async def fetch_trunk(self, sid: str) -> TrunkRecord | None:
        record = await self._call(self._client.trunking.v1.trunks(sid).fetch, missing_ok=True)
        return _trunk(record) if record is not None else None

    async def create_trunk(self, friendly_name: str) -> TrunkRecord:
        trunks = self._client.trunking.v1.trunks
        return _trunk(await self._must(lambda: trunks.create(friendly_name=friendly_name)))

    async def set_trunk_domain(self, sid: str, domain_name: str | None) -> None:
        trunk = self._client.trunking.v1.trunks(sid)
        await self._must(lambda: trunk.update(domain_name=domain_name or ""))

    async def delete_trunk(self, sid: str) -> None:
        await self._call(self._client.trunking.v1.trunks(sid).delete, missing_ok=True)

    async def origination_urls(self, trunk_sid: str) -> dict[str, str]:
        """SIP URL -> origination URL SID."""
        urls = self._client.trunking.v1.trunks(trunk_sid).origination_urls
        return {r.sip_url: r.sid for r in await self._must(lambda: urls.list())}

    async def delete_origination_url(self, trunk_sid: str, sid: str) -> None:
        url = self._client.trunking.v1.trunks(trunk_sid).origination_urls(sid)
        await self._call(url.delete, missing_ok=True)

    async def add_origination_url(self, trunk_sid: str, sip_url: str, name: str) -> None:
        urls = self._client.trunking.v1.trunks(trunk_sid).origination_urls
        await self._must(
            lambda: urls.create(
                weight=1, priority=1, enabled=True, friendly_name=name, sip_url=sip_url
            )
        )

    async def associate_number(self, trunk_sid: str, number_sid: str) -> None:
        numbers = self._client.trunking.v1.trunks(trunk_sid).phone_numbers
        await self._must(lambda: numbers.create(phone_number_sid=number_sid))

    async def disassociate_number(self, trunk_sid: str, number_sid: str) -> None:
        number = self._client.trunking.v1.trunks(trunk_sid).phone_numbers(number_sid)
        await self._call(number.delete, missing_ok=True)

    # --- credential lists ---------------------------------------------------------------------

    async def find_credential_list(self, friendly_name: str) -> CredentialListRecord | None:
        lists = self._client.api.v2010.account.sip.credential_lists
        records = await self._must(lambda: lists.list())
        return next(
            (
                CredentialListRecord(r.sid, r.friendly_name)
                for r in records
                if r.friendly_name == friendly_name
            ),
            None,
        )

    async def create_credential_list(self, friendly_name: str) -> CredentialListRecord:
        lists = self._client.api.v2010.account.sip.credential_lists
        record = await self._must(lambda: lists.create(friendly_name=friendly_name))
        return CredentialListRecord(record.sid, record.friendly_name)

    async def credential_usernames(self, list_sid: str) -> list[str]:
        credentials = self._client.api.v2010.account.sip.credential_lists(list_sid).credentials
        return [r.username for r in await self._must(lambda: credentials.list())]

    async def add_credential(self, list_sid: str, username: str, password: str) -> None:
        credentials = self._client.api.v2010.account.sip.credential_lists(list_sid).credentials
        await self._must(lambda: credentials.create(username=username, password=password))

    async def delete_credential_list(self, sid: str) -> None:
        await self._call(self._client.api.v2010.account.sip.credential_lists(sid).delete, True)

    async def trunk_credential_list_sids(self, trunk_sid: str) -> list[str]:
        lists = self._client.trunking.v1.trunks(trunk_sid).credentials_lists
        return [r.sid for r in await self._must(lambda: lists.list())]

    async def attach_credential_list(self, trunk_sid: str, list_sid: str) -> None:
        lists = self._client.trunking.v1.trunks(trunk_sid).credentials_lists
        await self._must(lambda: lists.create(credential_list_sid=list_sid))

    async def detach_credential_list(self, trunk_sid: str, list_sid: str) -> None:
        attached = self._client.trunking.v1.trunks(trunk_sid).credentials_lists(list_sid)
        await self._call(attached.delete, missing_ok=True)
