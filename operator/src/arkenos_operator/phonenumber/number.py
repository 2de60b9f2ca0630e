"""Step 1: the number. Adopt one the account owns, or buy one, never twice.

Lines bought at the same time search the same inventory and get the same results, so each line
tries them in an order of its own (shuffled by its uid): simultaneous purchases spread over the
results instead of all racing for the first. A number someone else bought between the search
and the purchase (Twilio's 21422, "not available") sends the line to the next candidate, and
when every candidate is gone, to a new search after a short wait: never to a permanent error.

Crash safety of a purchase: the number is bought with the line's marker as its friendlyName,
and before buying, the account is searched for a number with that marker. Whatever happens
between the purchase and the status write (a crash, a lost answer), the next reconcile finds
the number it bought instead of buying another.
"""

from __future__ import annotations

import random

from arkenos_crds.phonenumber import PhoneNumberConditionType as C
from arkenos_operator.kernel.errors import ReconcileError
from arkenos_operator.kernel.reasons import Reason
from arkenos_operator.phonenumber import builders
from arkenos_operator.phonenumber.errors import ServiceError
from arkenos_operator.phonenumber.line import Line, service_failure
from arkenos_operator.phonenumber.twilio_client import NumberRecord, TwilioClient

#: Twilio's error code for "PhoneNumber ... is not available" (bought by someone else).
NUMBER_NOT_AVAILABLE = 21422
#: Base wait before searching again when every candidate was taken (jittered up to twice).
TAKEN_RETRY_SECONDS = 1.0
#: Wait before trying a pinned number again that someone else bought (it rarely comes back).
PINNED_TAKEN_RETRY_SECONDS = 300.0


async def ensure_number(line: Line, twilio: TwilioClient) -> NumberRecord:
    try:
        number = await _known(line, twilio) or await _find_or_get(line, twilio)
    except ServiceError as error:
        raise service_failure(C.NUMBER_READY, error) from error
    if line.status.get("phoneNumber") != number.phone_number or (
        line.status.get("twilio", {}).get("numberSid") != number.sid
    ):
        await line.save({"phoneNumber": number.phone_number, "twilio": {"numberSid": number.sid}})
    return number


async def _known(line: Line, twilio: TwilioClient) -> NumberRecord | None:
    """The number status already names, if the account still has it."""
    sid = line.status.get("twilio", {}).get("numberSid")
    if not sid:
        return None
    return await twilio.fetch_number(sid)


async def _find_or_get(line: Line, twilio: TwilioClient) -> NumberRecord:
    if line.spec.number:
        return await _adopt(line.spec.number, twilio)
    marked = await twilio.find_numbers(friendly_name=builders.marker(line.uid))
    if marked:
        return marked[0]
    return await _buy(line, twilio)


async def _adopt(e164: str, twilio: TwilioClient) -> NumberRecord:
    owned = [n for n in await twilio.find_numbers(phone_number=e164) if n.phone_number == e164]
    if not owned:
        raise ReconcileError(
            Reason.NOT_OWNED,
            f"The Twilio account does not own {e164}. Buy or port it into the account first, "
            "or set spec.purchase to buy a new number.",
            condition=C.NUMBER_READY,
        )
    return owned[0]


async def _buy(line: Line, twilio: TwilioClient) -> NumberRecord:
    criteria = line.spec.purchase
    assert criteria is not None  # the spec has exactly one of number and purchase
    if criteria.phone_number:
        return await _buy_pinned(line, twilio, criteria.phone_number)
    candidates = await twilio.search_available(
        criteria.country, criteria.number_type, criteria.area_code, criteria.contains
    )
    if not candidates:
        wanted = ", ".join(
            f"{k} {v}"
            for k, v in (
                ("country", criteria.country),
                ("type", criteria.number_type),
                ("area code", criteria.area_code),
                ("containing", criteria.contains),
            )
            if v
        )
        raise ReconcileError(
            Reason.NO_NUMBER_AVAILABLE,
            f"Twilio has no number for sale matching {wanted}. Loosen spec.purchase, or wait "
            "for the inventory to change.",
            condition=C.NUMBER_READY,
        )
    random.Random(line.uid).shuffle(candidates)  # noqa: S311 - spreading, not secrecy
    for candidate in candidates:
        try:
            return await twilio.buy_number(candidate, builders.marker(line.uid))
        except ServiceError as error:
            if error.code != NUMBER_NOT_AVAILABLE:
                raise
    raise ReconcileError(
        Reason.NUMBER_TAKEN,
        f"The {len(candidates)} number(s) Twilio offered were bought by others before this line "
        "could buy one; searching again.",
        condition=C.NUMBER_READY,
        delay=TAKEN_RETRY_SECONDS * (1 + random.random()),  # noqa: S311 - jitter
    )


async def _buy_pinned(line: Line, twilio: TwilioClient, e164: str) -> NumberRecord:
    """Buy exactly ``e164``; when someone else bought it first, say so and buy nothing else
    (the person chose that number), checking again only slowly."""
    try:
        return await twilio.buy_number(e164, builders.marker(line.uid))
    except ServiceError as error:
        if error.code != NUMBER_NOT_AVAILABLE:
            raise
        raise ReconcileError(
            Reason.NUMBER_TAKEN,
            f"Twilio no longer sells {e164} ({error.message.rstrip('.')}). Delete this "
            "PhoneNumber and choose another number.",
            condition=C.NUMBER_READY,
            delay=PINNED_TAKEN_RETRY_SECONDS,
        ) from error
