"""The Twilio double, driven by the real ``twilio`` library as the operator drives it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from arkenos_operator.phonenumber.twilio_client import RebasedHttpClient, service_error
from tests.doubles.server import ServedApp, serve
from tests.doubles.twilio import TwilioDouble

ACCOUNT, TOKEN = "AC" + "a" * 32, "token-123"


@pytest.fixture
def double() -> TwilioDouble:
    double = TwilioDouble()
    double.state.add_account(ACCOUNT, TOKEN)
    double.state.seed_available("US", "Local", ["+14155550101", "+14155550102", "+12125550103"])
    double.state.seed_available("US", "TollFree", ["+18005550104"])
    return double


@pytest.fixture
def served(double: TwilioDouble) -> Iterator[ServedApp]:
    with serve(double.app()) as served:
        yield served


@pytest.fixture
def client(served: ServedApp) -> Client:
    return Client(ACCOUNT, TOKEN, http_client=RebasedHttpClient(served.url, timeout=2))


def test_wrong_token_is_refused_like_twilio(served: ServedApp) -> None:
    bad = Client(ACCOUNT, "wrong", http_client=RebasedHttpClient(served.url, timeout=2))
    with pytest.raises(TwilioRestException) as caught:
        bad.api.v2010.account.incoming_phone_numbers("PN" + "0" * 32).fetch()
    assert (caught.value.status, caught.value.code) == (401, 20003)
    # A list page's failure carries the raw response instead.
    with pytest.raises(TwilioException) as page_error:
        bad.api.v2010.account.incoming_phone_numbers.list()
    assert service_error(page_error.value).status == 401


def test_search_buy_find_and_release(client: Client, double: TwilioDouble) -> None:
    country = client.api.v2010.account.available_phone_numbers("US")
    assert [n.phone_number for n in country.local.list(area_code=415)] == [
        "+14155550101",
        "+14155550102",
    ]
    assert [n.phone_number for n in country.local.list(contains="5550103")] == ["+12125550103"]
    assert [n.phone_number for n in country.toll_free.list()] == ["+18005550104"]

    bought = client.api.v2010.account.incoming_phone_numbers.create(
        phone_number="+14155550102", friendly_name="arkenos:uid-1"
    )
    assert bought.sid.startswith("PN")
    assert bought.friendly_name == "arkenos:uid-1"
    found = client.api.v2010.account.incoming_phone_numbers.list(friendly_name="arkenos:uid-1")
    assert [n.sid for n in found] == [bought.sid]
    assert country.local.list(area_code=415)[0].phone_number == "+14155550101"
    with pytest.raises(TwilioRestException) as caught:
        client.api.v2010.account.incoming_phone_numbers.create(phone_number="+14155550102")
    assert caught.value.status == 400
    assert "not available" in caught.value.msg

    assert client.api.v2010.account.incoming_phone_numbers(bought.sid).delete()
    assert double.state.purchases == [(ACCOUNT, "+14155550102", bought.sid)]
    assert double.state.released == ["+14155550102"]
    with pytest.raises(TwilioRestException) as caught:
        client.api.v2010.account.incoming_phone_numbers(bought.sid).fetch()
    assert (caught.value.status, caught.value.code) == (404, 20404)


def test_lists_are_paged_and_the_library_follows_pages(
    client: Client, double: TwilioDouble
) -> None:
    for i in range(7):
        double.state.add_owned_number(ACCOUNT, f"+1415555020{i}")
    numbers = client.api.v2010.account.incoming_phone_numbers.list(page_size=3)
    assert len(numbers) == 7
    for i in range(4):
        client.trunking.v1.trunks.create(friendly_name=f"t{i}")
    assert len(client.trunking.v1.trunks.list(page_size=3)) == 4


def test_trunk_wiring_and_cleanup(client: Client, double: TwilioDouble) -> None:
    number_sid = double.state.add_owned_number(ACCOUNT, "+14155550199")
    trunk = client.trunking.v1.trunks.create(friendly_name="arkenos:uid-2")
    trunk_api = client.trunking.v1.trunks(trunk.sid)
    trunk_api.origination_urls.create(
        weight=1, priority=1, enabled=True, friendly_name="livekit", sip_url="sip:lk.example"
    )
    trunk_api.phone_numbers.create(phone_number_sid=number_sid)
    assert double.state.origination_for("+14155550199") == ["sip:lk.example"]
    assert [n.sid for n in trunk_api.phone_numbers.list()] == [number_sid]

    trunk_api.update(domain_name="arkenos-uid-2.pstn.twilio.com")
    assert trunk_api.fetch().domain_name == "arkenos-uid-2.pstn.twilio.com"
    lists = client.api.v2010.account.sip.credential_lists
    cl = lists.create(friendly_name="arkenos:uid-2")
    with pytest.raises(TwilioRestException) as caught:
        lists(cl.sid).credentials.create(username="lk", password="short")
    assert "12 characters" in caught.value.msg
    lists(cl.sid).credentials.create(username="lk", password="Abcdefgh12345")
    trunk_api.credentials_lists.create(credential_list_sid=cl.sid)
    assert [c.sid for c in trunk_api.credentials_lists.list()] == [cl.sid]

    trunk_api.delete()
    assert double.state.accounts[ACCOUNT].numbers[number_sid].trunk_sid is None
    assert double.state.origination_for("+14155550199") == []


def test_numbers_belong_to_one_trunk(client: Client, double: TwilioDouble) -> None:
    number_sid = double.state.add_owned_number(ACCOUNT, "+14155550198")
    first = client.trunking.v1.trunks.create(friendly_name="a")
    second = client.trunking.v1.trunks.create(friendly_name="b")
    client.trunking.v1.trunks(first.sid).phone_numbers.create(phone_number_sid=number_sid)
    with pytest.raises(TwilioRestException) as caught:
        client.trunking.v1.trunks(second.sid).phone_numbers.create(phone_number_sid=number_sid)
    assert caught.value.status == 400
    assert first.sid in caught.value.msg


def test_faults_fire_the_given_number_of_times(client: Client, double: TwilioDouble) -> None:
    double.faults.add("IncomingPhoneNumbers.list", 429, times=2)
    for _ in range(2):
        with pytest.raises(TwilioException) as caught:
            client.api.v2010.account.incoming_phone_numbers.list()
        assert service_error(caught.value).status == 429
    assert client.api.v2010.account.incoming_phone_numbers.list() == []
    assert double.calls.count("IncomingPhoneNumbers.list") == 3


def test_a_fault_after_the_request_took_effect_loses_only_the_answer(
    client: Client, double: TwilioDouble
) -> None:
    double.faults.add("IncomingPhoneNumbers.create", 500, after=True)
    with pytest.raises(TwilioRestException) as caught:
        client.api.v2010.account.incoming_phone_numbers.create(phone_number="+14155550101")
    assert caught.value.status == 500
    assert [p[1] for p in double.state.purchases] == ["+14155550101"]


def test_a_delay_times_the_client_out(served: ServedApp, double: TwilioDouble) -> None:
    client = Client(ACCOUNT, TOKEN, http_client=RebasedHttpClient(served.url, timeout=0.2))
    double.faults.add("Trunks.list", None, delay=1.0)
    with pytest.raises(requests.Timeout):
        client.trunking.v1.trunks.list()


def test_form_bodies_take_the_last_repeated_key(served: ServedApp, double: TwilioDouble) -> None:
    response = requests.post(
        f"{served.url}/v1/Trunks",
        data=[("FriendlyName", "first"), ("FriendlyName", "second")],
        auth=(ACCOUNT, TOKEN),
        timeout=2,
    )
    assert response.status_code == 201
    assert response.json()["friendly_name"] == "second"
    missing = requests.post(
        f"{served.url}/v1/Trunks/{response.json()['sid']}/PhoneNumbers",
        data={},
        auth=(ACCOUNT, TOKEN),
        timeout=2,
    )
    assert missing.status_code == 400
    assert missing.json()["message"] == "Missing required parameter PhoneNumberSid in the post body"
    unknown = requests.get(f"{served.url}/v1/Nothing", auth=(ACCOUNT, TOKEN), timeout=2)
    assert unknown.status_code == 404
    assert unknown.json()["code"] == 20404


def test_buy_by_area_code_and_update_the_number(client: Client, double: TwilioDouble) -> None:
    numbers = client.api.v2010.account.incoming_phone_numbers
    bought = numbers.create(area_code="212")
    assert bought.phone_number == "+12125550103"
    with pytest.raises(TwilioRestException) as caught:
        numbers.create(area_code="999")
    assert caught.value.code == 21452
    trunk = client.trunking.v1.trunks.create(friendly_name="t")
    updated = numbers(bought.sid).update(friendly_name="renamed", trunk_sid=trunk.sid)
    assert (updated.friendly_name, updated.trunk_sid) == ("renamed", trunk.sid)
    assert [n.sid for n in client.trunking.v1.trunks(trunk.sid).phone_numbers.list()] == [
        bought.sid
    ]
    assert numbers(bought.sid).update(trunk_sid="").trunk_sid is None


def test_the_account_is_fetched_with_its_own_credentials(client: Client, served: ServedApp) -> None:
    # What the API's key check calls: the twilio library reads the double's account resource.
    account = client.api.v2010.accounts(ACCOUNT).fetch()
    assert (account.sid, account.status, account.type) == (ACCOUNT, "active", "Full")
    assert account.subresource_uris["incoming_phone_numbers"] == (
        f"/2010-04-01/Accounts/{ACCOUNT}/IncomingPhoneNumbers.json"
    )
    url = f"{served.url}/2010-04-01/Accounts/{ACCOUNT}.json"
    bad = requests.get(url, auth=(ACCOUNT, "wrong"), timeout=2)
    assert bad.status_code == 401
    assert bad.headers["WWW-Authenticate"] == 'Basic realm="Twilio API"'
    assert bad.json() == {
        "code": 20003,
        "detail": "Your AccountSid or AuthToken was incorrect.",
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }
    assert requests.get(url, timeout=2).status_code == 401  # no credentials at all
    # Good credentials do not open another account.
    other = f"{served.url}/2010-04-01/Accounts/AC{'b' * 32}.json"
    assert requests.get(other, auth=(ACCOUNT, TOKEN), timeout=2).status_code == 404
