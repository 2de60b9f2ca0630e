"""State of the Twilio double: accounts, the number inventory, owned numbers, Elastic SIP
trunks and SIP credential lists, with the rules Twilio enforces on them.

Methods raise :class:`TwilioError` carrying Twilio's own error code and message; the HTTP
layer turns it into Twilio's JSON error body.
"""

from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

NUMBER_TYPES = ("Local", "TollFree", "Mobile")


class TwilioError(Exception):
    """Twilio's error: HTTP status, its error code, the message and (for some codes, as Twilio
    sends it) a ``detail`` sentence for a person."""

    def __init__(self, status: int, code: int, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.detail = status, code, message, detail


def new_sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


def not_found(what: str) -> TwilioError:
    return TwilioError(404, 20404, f"The requested resource {what} was not found")


@dataclass
class AvailableNumber:
    phone_number: str
    country: str
    number_type: str
    locality: str = "San Francisco"
    region: str = "CA"
    voice: bool = True


@dataclass
class IncomingNumber:
    sid: str
    account_sid: str
    phone_number: str
    friendly_name: str
    created: datetime
    updated: datetime
    voice_url: str | None = None
    trunk_sid: str | None = None


@dataclass
class OriginationUrl:
    sid: str
    trunk_sid: str
    sip_url: str
    friendly_name: str
    weight: int
    priority: int
    enabled: bool
    created: datetime


@dataclass
class Trunk:
    sid: str
    account_sid: str
    friendly_name: str
    domain_name: str | None
    created: datetime
    updated: datetime
    origination_urls: dict[str, OriginationUrl] = field(default_factory=dict)
    credential_list_sids: list[str] = field(default_factory=list)


@dataclass
class Credential:
    sid: str
    username: str
    password: str
    created: datetime


@dataclass
class CredentialList:
    sid: str
    account_sid: str
    friendly_name: str
    created: datetime
    credentials: dict[str, Credential] = field(default_factory=dict)


@dataclass
class Account:
    sid: str
    auth_token: str
    friendly_name: str = ""
    created: datetime = field(default_factory=lambda: _now())
    numbers: dict[str, IncomingNumber] = field(default_factory=dict)
    trunks: dict[str, Trunk] = field(default_factory=dict)
    credential_lists: dict[str, CredentialList] = field(default_factory=dict)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


_PASSWORD_RULE = re.compile(r"^(?=.*[a-z])(?=.*[A-Z])(?=.*[0-9]).{12,}$")


class TwilioState:
    """Everything the double knows. A lock guards it: tests read it from their own thread."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.accounts: dict[str, Account] = {}
        self.inventory: list[AvailableNumber] = []
        #: (account SID, E.164 number, number SID) of every purchase, in order.
        self.purchases: list[tuple[str, str, str]] = []
        #: E.164 numbers given back to Twilio.
        self.released: list[str] = []

    # --- set-up helpers for tests ------------------------------------------------------------

    def add_account(self, account_sid: str, auth_token: str, friendly_name: str = "") -> Account:
        with self.lock:
            account = Account(account_sid, auth_token, friendly_name or f"{account_sid}'s Account")
            self.accounts[account_sid] = account
            return account

    def seed_available(self, country: str, number_type: str, numbers: list[str]) -> None:
        with self.lock:
            self.inventory.extend(AvailableNumber(n, country, number_type) for n in numbers)

    def add_owned_number(self, account_sid: str, phone_number: str, friendly_name: str = "") -> str:
        """A number the account already owns (to adopt); returns its SID."""
        with self.lock:
            number = self._new_number(account_sid, phone_number, friendly_name or phone_number)
            return number.sid

    # --- numbers ------------------------------------------------------------------------------

    def account(self, account_sid: str) -> Account:
        try:
            return self.accounts[account_sid]
        except KeyError:
            raise not_found(f"/2010-04-01/Accounts/{account_sid}.json") from None

    def search_available(
        self,
        country: str,
        number_type: str,
        area_code: str | None,
        contains: str | None,
        voice: bool | None = None,
    ) -> list[AvailableNumber]:
        if number_type not in NUMBER_TYPES:
            raise not_found(f"AvailablePhoneNumbers/{country}/{number_type}")
        pattern = _contains_pattern(contains) if contains else None
        with self.lock:
            return [
                n
                for n in self.inventory
                if n.country == country
                and n.number_type == number_type
                and (not area_code or _national(n.phone_number).startswith(area_code))
                and (pattern is None or pattern.search(n.phone_number[1:]))
                and (voice is None or n.voice == voice)
            ]

    def buy(
        self, account_sid: str, phone_number: str | None, area_code: str | None, friendly_name: str
    ) -> IncomingNumber:
        with self.lock:
            self.account(account_sid)
            if phone_number:
                match = [n for n in self.inventory if n.phone_number == phone_number]
                if not match:
                    raise TwilioError(400, 21422, f"PhoneNumber {phone_number} is not available.")
            elif area_code:
                match = [
                    n
                    for n in self.inventory
                    if n.number_type == "Local" and _national(n.phone_number).startswith(area_code)
                ]
                if not match:
                    raise TwilioError(
                        400, 21452, f"No phone numbers found in area code {area_code}."
                    )
            else:
                raise TwilioError(400, 21451, "Either PhoneNumber or AreaCode is required.")
            chosen = match[0]
            self.inventory.remove(chosen)
            number = self._new_number(account_sid, chosen.phone_number, friendly_name)
            self.purchases.append((account_sid, number.phone_number, number.sid))
            return number

    def _new_number(
        self, account_sid: str, phone_number: str, friendly_name: str
    ) -> IncomingNumber:
        now = _now()
        number = IncomingNumber(
            new_sid("PN"),
            account_sid,
            phone_number,
            friendly_name or _pretty(phone_number),
            now,
            now,
        )
        self.account(account_sid).numbers[number.sid] = number
        return number

    def number(self, account_sid: str, sid: str) -> IncomingNumber:
        with self.lock:
            try:
                return self.account(account_sid).numbers[sid]
            except KeyError:
                raise not_found(
                    f"/2010-04-01/Accounts/{account_sid}/IncomingPhoneNumbers/{sid}.json"
                ) from None

    def release(self, account_sid: str, sid: str) -> None:
        with self.lock:
            number = self.number(account_sid, sid)
            del self.account(account_sid).numbers[sid]
            self.released.append(number.phone_number)

    def associate(self, account_sid: str, trunk_sid: str, number_sid: str) -> IncomingNumber:
        with self.lock:
            self.trunk(account_sid, trunk_sid)
            number = self.number(account_sid, number_sid)
            if number.trunk_sid and number.trunk_sid != trunk_sid:
                raise TwilioError(
                    400,
                    21219,
                    f"Phone number {number.phone_number} is already associated with trunk "
                    f"{number.trunk_sid}.",
                )
            number.trunk_sid, number.voice_url, number.updated = trunk_sid, None, _now()
            return number

    def disassociate(self, account_sid: str, trunk_sid: str, number_sid: str) -> None:
        with self.lock:
            number = self.number(account_sid, number_sid)
            if number.trunk_sid != trunk_sid:
                raise not_found(f"/v1/Trunks/{trunk_sid}/PhoneNumbers/{number_sid}")
            number.trunk_sid, number.updated = None, _now()

    # --- trunks -------------------------------------------------------------------------------

    def create_trunk(self, account_sid: str, friendly_name: str, domain_name: str | None) -> Trunk:
        with self.lock:
            account = self.account(account_sid)
            if domain_name:
                if not domain_name.endswith(".pstn.twilio.com"):
                    raise TwilioError(400, 21245, "DomainName must end with .pstn.twilio.com.")
                taken = any(
                    t.domain_name == domain_name
                    for a in self.accounts.values()
                    for t in a.trunks.values()
                )
                if taken:
                    raise TwilioError(400, 21248, f"Domain name {domain_name} is already in use.")
            now = _now()
            trunk = Trunk(new_sid("TK"), account_sid, friendly_name, domain_name, now, now)
            account.trunks[trunk.sid] = trunk
            return trunk

    def trunk(self, account_sid: str, sid: str) -> Trunk:
        with self.lock:
            try:
                return self.account(account_sid).trunks[sid]
            except KeyError:
                raise not_found(f"/v1/Trunks/{sid}") from None

    def delete_trunk(self, account_sid: str, sid: str) -> None:
        with self.lock:
            self.trunk(account_sid, sid)
            account = self.account(account_sid)
            for number in account.numbers.values():
                if number.trunk_sid == sid:
                    number.trunk_sid = None
            del account.trunks[sid]

    def add_origination_url(
        self,
        account_sid: str,
        trunk_sid: str,
        sip_url: str,
        name: str,
        weight: int,
        priority: int,
        enabled: bool,
    ) -> OriginationUrl:
        with self.lock:
            trunk = self.trunk(account_sid, trunk_sid)
            if not sip_url.startswith("sip:"):
                raise TwilioError(400, 21246, "SipUrl must be a valid SIP URI starting with sip:.")
            url = OriginationUrl(
                new_sid("OU"), trunk_sid, sip_url, name, weight, priority, enabled, _now()
            )
            trunk.origination_urls[url.sid] = url
            return url

    # --- credential lists ---------------------------------------------------------------------

    def create_credential_list(self, account_sid: str, friendly_name: str) -> CredentialList:
        with self.lock:
            account = self.account(account_sid)
            cl = CredentialList(new_sid("CL"), account_sid, friendly_name, _now())
            account.credential_lists[cl.sid] = cl
            return cl

    def credential_list(self, account_sid: str, sid: str) -> CredentialList:
        with self.lock:
            try:
                return self.account(account_sid).credential_lists[sid]
            except KeyError:
                raise not_found(
                    f"/2010-04-01/Accounts/{account_sid}/SIP/CredentialLists/{sid}.json"
                ) from None

    def delete_credential_list(self, account_sid: str, sid: str) -> None:
        with self.lock:
            self.credential_list(account_sid, sid)
            account = self.account(account_sid)
            for trunk in account.trunks.values():
                if sid in trunk.credential_list_sids:
                    trunk.credential_list_sids.remove(sid)
            del account.credential_lists[sid]

    def add_credential(
        self, account_sid: str, list_sid: str, username: str, password: str
    ) -> Credential:
        with self.lock:
            cl = self.credential_list(account_sid, list_sid)
            if not _PASSWORD_RULE.match(password):
                raise TwilioError(
                    400,
                    21500,
                    "Passwords must be a minimum of 12 characters, contain at least one digit, "
                    "and have mixed case.",
                )
            if any(c.username == username for c in cl.credentials.values()):
                raise TwilioError(400, 21501, f"Username {username} already exists in the list.")
            cred = Credential(new_sid("CR"), username, password, _now())
            cl.credentials[cred.sid] = cred
            return cred

    def attach_credential_list(self, account_sid: str, trunk_sid: str, list_sid: str) -> None:
        with self.lock:
            trunk = self.trunk(account_sid, trunk_sid)
            self.credential_list(account_sid, list_sid)
            if list_sid in trunk.credential_list_sids:
                raise TwilioError(400, 21502, "Credential list is already associated.")
            trunk.credential_list_sids.append(list_sid)

    # --- what a call would do -----------------------------------------------------------------

    def origination_for(self, phone_number: str) -> list[str]:
        """SIP URIs an inbound call to ``phone_number`` would be sent to, by priority."""
        with self.lock:
            for account in self.accounts.values():
                for number in account.numbers.values():
                    if number.phone_number == phone_number and number.trunk_sid:
                        urls = account.trunks[number.trunk_sid].origination_urls.values()
                        enabled = sorted((u for u in urls if u.enabled), key=lambda u: u.priority)
                        return [u.sip_url for u in enabled]
        return []


def _national(e164: str) -> str:
    """The national significant number (without the country calling code), for NANP and
    the handful of other countries the inventory seeds."""
    digits = e164.lstrip("+")
    return digits[1:] if digits.startswith("1") else digits[2:]


def _contains_pattern(contains: str) -> re.Pattern[str]:
    """Twilio's Contains, over the digits of the E.164 number: ``*`` one digit, ``%`` any
    digits, a leading ``+`` anchors the start (the country code) and a trailing ``$`` the end."""
    start, end = contains.startswith("+"), contains.endswith("$")
    body = contains.removeprefix("+").removesuffix("$")
    wildcards = {"*": "[0-9]", "%": "[0-9]*"}
    regex = "".join(wildcards.get(c) or re.escape(c) for c in body)
    return re.compile(("^" if start else "") + regex + ("$" if end else ""))


def _pretty(e164: str) -> str:
    if e164.startswith("+1") and len(e164) == 12:
        return f"({e164[2:5]}) {e164[5:8]}-{e164[8:]}"
    return e164
