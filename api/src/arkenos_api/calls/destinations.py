"""Where a workspace's outbound calls (and transfers) may go: a real, dialable number, in an
allowed country, not a premium-rate or shared-cost range unless the workspace allows them.

Uses Google's libphonenumber metadata (``phonenumbers``), which knows every country's ranges.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberType

from arkenos_api.core.errors import ApiError

#: Ranges that cost the caller more than a normal call; refused unless allowed.
PREMIUM_TYPES = frozenset({PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST})


def check_destination(
    number: str, *, allowed_countries: list[str] | None, allow_premium: bool, field: str = "to"
) -> str:
    """The destination's ISO country code, or a 422 saying why it may not be called."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException as exc:
        raise ApiError(
            422, "invalid_destination", f"{number} is not a phone number", field
        ) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ApiError(422, "invalid_destination", f"{number} is not a valid number", field)
    country = phonenumbers.region_code_for_number(parsed) or "ZZ"
    if allowed_countries is not None and country not in allowed_countries:
        allowed = ", ".join(allowed_countries) or "none"
        raise ApiError(
            422,
            "destination_not_allowed",
            f"calls to {country} are not allowed in this workspace (allowed: {allowed})",
            field,
        )
    if not allow_premium and phonenumbers.number_type(parsed) in PREMIUM_TYPES:
        raise ApiError(
            422,
            "premium_destination",
            f"{number} is a premium-rate or shared-cost number; this workspace does not allow "
            "calls to those",
            field,
        )
    return country
