"""A workspace's Twilio key, tested from the provider keys page against the Twilio double: the
API fetches the account with basic auth as Twilio's API wants it; a good key passes, a bad one
carries Twilio's own sentence, and neither answer passes on the auth token (which Twilio's
account resource includes)."""

from __future__ import annotations

from arkenos_api.keys.providers import check_request
from arkenos_api.settings import Settings
from arkenos_crds.runtime import Provider
from tests.api.helpers import Person
from tests.api.phone_numbers.conftest import OWN_SID, OWN_TOKEN, Twilio


def _key(workspace: str) -> str:
    return f"/api/v1/workspaces/{workspace}/keys/twilio"


async def test_a_good_twilio_key_passes(owner: tuple[Person, str], twilio: Twilio) -> None:
    admin, workspace = owner
    stored = await admin.put(_key(workspace), json={"value": f"{OWN_SID}:{OWN_TOKEN}"})
    assert stored.status_code == 200, stored.text
    checked = await admin.post(f"{_key(workspace)}/test")
    assert checked.status_code == 200, checked.text
    assert checked.json() == {
        "provider": "twilio",
        "ok": True,
        "status": 200,
        "message": "twilio accepted the key",
    }
    assert OWN_TOKEN not in checked.text
    assert twilio.double.calls.count("Accounts.fetch") == 1


async def test_a_bad_twilio_key_shows_twilios_message(
    owner: tuple[Person, str], twilio: Twilio
) -> None:
    admin, workspace = owner
    wrong = "wrong-token-0000000000000000000"
    await admin.put(_key(workspace), json={"value": f"{OWN_SID}:{wrong}"})
    checked = (await admin.post(f"{_key(workspace)}/test")).json()
    assert checked == {
        "provider": "twilio",
        "ok": False,
        "status": 401,
        "message": "twilio rejected the key: Your AccountSid or AuthToken was incorrect. "
        "(Twilio error 20003)",
    }
    assert wrong not in str(checked)


def test_a_typed_sid_stays_one_path_segment(settings: Settings) -> None:
    # The SID comes from what a person typed: quoted, "../" cannot reach another resource.
    request = check_request(Provider.TWILIO, f"../../v1/Trunks:{OWN_TOKEN}", settings)
    assert request.url.raw_path.decode().endswith("/2010-04-01/Accounts/..%2F..%2Fv1%2FTrunks.json")
