"""Searching Twilio's inventory through the API: the filters reach Twilio, the workspace's own
account wins over the platform's, and Twilio's refusals reach the person in Twilio's words."""

from __future__ import annotations

import pytest

from tests.api.helpers import Person
from tests.api.phone_numbers.conftest import OWN_SID, Twilio, available, store_own_key
from tests.doubles.twilio.state import AvailableNumber


def _numbers(response_json: dict[str, object]) -> list[str]:
    return [n["phoneNumber"] for n in response_json["numbers"]]  # type: ignore[attr-defined]


async def test_filters_reach_twilio(owner: tuple[Person, str], twilio: Twilio) -> None:
    admin, workspace = owner
    with twilio.double.state.lock:
        twilio.double.state.inventory.append(
            AvailableNumber("+14155550109", "US", "Local", voice=False)
        )
    by_area = await admin.get(available(workspace), params={"areaCode": "415"})
    assert by_area.status_code == 200, by_area.text
    assert by_area.json()["credentials"] == "Platform"
    assert _numbers(by_area.json()) == ["+14155550101", "+14155550102", "+14155551234"]
    first = by_area.json()["numbers"][0]
    assert first["capabilities"] == {"voice": True, "sms": True, "mms": True, "fax": False}
    assert first["locality"] == "San Francisco"

    contains = await admin.get(
        available(workspace), params={"areaCode": "415", "contains": "55501*"}
    )
    assert _numbers(contains.json()) == ["+14155550101", "+14155550102"]
    anchored = await admin.get(available(workspace), params={"contains": "+1212"})
    assert _numbers(anchored.json()) == ["+12125550100"]
    without_voice = await admin.get(
        available(workspace), params={"areaCode": "415", "contains": "0109", "voice": "false"}
    )
    assert _numbers(without_voice.json()) == ["+14155550109"]
    with_voice = await admin.get(available(workspace), params={"contains": "0109"})
    assert _numbers(with_voice.json()) == []
    elsewhere = await admin.get(available(workspace), params={"country": "GB"})
    assert _numbers(elsewhere.json()) == []
    limited = await admin.get(available(workspace), params={"limit": "2"})
    assert len(_numbers(limited.json())) == 2
    assert twilio.double.calls.count("AvailablePhoneNumbers.list") == 7


async def test_bad_filters_are_refused_before_twilio(
    owner: tuple[Person, str], twilio: Twilio
) -> None:
    admin, workspace = owner
    for params in ({"areaCode": "4a5"}, {"country": "usa"}, {"numberType": "Premium"}):
        refused = await admin.get(available(workspace), params=params)
        assert refused.status_code == 422, (params, refused.text)
    assert twilio.double.calls.count("AvailablePhoneNumbers.list") == 0


async def test_the_workspace_account_wins_over_the_platform(
    owner: tuple[Person, str], twilio: Twilio
) -> None:
    admin, workspace = owner
    with twilio.double.state.lock:
        twilio.double.state.accounts.pop("AC" + "1" * 32)  # the platform's account is gone
    refused = await admin.get(available(workspace))
    assert refused.status_code == 424
    assert refused.json()["code"] == "twilio_credentials_rejected"
    assert refused.json()["message"].startswith("Twilio error 20003: Authenticate")
    assert "the platform's credentials" in refused.json()["message"]

    await store_own_key(admin, workspace)
    found = await admin.get(available(workspace))
    assert found.status_code == 200, found.text
    assert found.json()["credentials"] == "Workspace"
    assert OWN_SID not in found.text


async def test_twilio_refusals_reach_the_person_in_its_words(
    owner: tuple[Person, str], twilio: Twilio
) -> None:
    admin, workspace = owner
    faults = twilio.double.faults
    faults.add("AvailablePhoneNumbers.list", 400, message="AreaCode 999 is not a valid area code")
    invalid = await admin.get(available(workspace), params={"areaCode": "999"})
    assert invalid.status_code == 400
    assert invalid.json()["code"] == "twilio_error"
    assert invalid.json()["message"] == "Twilio error 20400: AreaCode 999 is not a valid area code"

    faults.add("AvailablePhoneNumbers.list", 429, message="Too many requests")
    throttled = await admin.get(available(workspace))
    assert (throttled.status_code, throttled.json()["code"]) == (429, "twilio_throttled")
    assert "Too many requests" in throttled.json()["message"]

    faults.add("AvailablePhoneNumbers.list", 503, message="Service unavailable")
    down = await admin.get(available(workspace))
    assert (down.status_code, down.json()["code"]) == (424, "twilio_unavailable")
    assert "Service unavailable" in down.json()["message"]


@pytest.mark.parametrize("platform_twilio", [False])
async def test_without_any_twilio_account_it_says_what_to_do(owner: tuple[Person, str]) -> None:
    admin, workspace = owner
    missing = await admin.get(available(workspace))
    assert missing.status_code == 424
    assert missing.json()["code"] == "twilio_credentials_missing"
    assert "store the workspace's twilio key" in missing.json()["message"]
