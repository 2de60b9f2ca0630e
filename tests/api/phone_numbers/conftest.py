"""Fixtures of the phone number tests: the Twilio double (a real HTTP server that checks basic
auth and request shapes) with a platform account and a workspace's own account, and the API's
settings pointing the ``twilio`` library at it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import SecretStr

from arkenos_api.settings import Settings
from tests.api.helpers import Cluster, Person
from tests.doubles.server import serve
from tests.doubles.twilio import TwilioDouble

PLATFORM_SID, PLATFORM_TOKEN = "AC" + "1" * 32, "platform-token-0000000000000001"
OWN_SID, OWN_TOKEN = "AC" + "2" * 32, "workspace-token-00000000000007x9"
AVAILABLE = ["+14155550101", "+14155550102", "+14155551234", "+12125550100"]
PLATFORM_OWNED = "+14155559000"
OWN_OWNED = "+14155559001"
PHONENUMBERS = "arkenos.io/v1alpha1/phonenumbers"
SECRETS = "v1/secrets"


@dataclass(frozen=True)
class Twilio:
    double: TwilioDouble
    url: str


@pytest.fixture
def twilio() -> Iterator[Twilio]:
    double = TwilioDouble()
    double.state.add_account(PLATFORM_SID, PLATFORM_TOKEN)
    double.state.add_account(OWN_SID, OWN_TOKEN)
    double.state.seed_available("US", "Local", AVAILABLE)
    double.state.add_owned_number(PLATFORM_SID, PLATFORM_OWNED, "Platform support")
    double.state.add_owned_number(OWN_SID, OWN_OWNED, "Own support")
    with serve(double.app()) as served:
        yield Twilio(double, served.url)


@pytest.fixture
def platform_twilio() -> bool:
    """Whether the platform has a Twilio account (parametrize it False to take it away)."""
    return True


@pytest.fixture
def settings(settings: Settings, twilio: Twilio, platform_twilio: bool) -> Settings:
    update: dict[str, Any] = {"twilio_base_url": f"{twilio.url}/2010-04-01"}
    if platform_twilio:
        update |= {
            "twilio_account_sid": PLATFORM_SID,
            "twilio_auth_token": SecretStr(PLATFORM_TOKEN),
        }
    return settings.model_copy(update=update)


def lines(workspace: str) -> str:
    return f"/api/v1/workspaces/{workspace}/phone-numbers"


def available(workspace: str) -> str:
    return f"/api/v1/workspaces/{workspace}/available-phone-numbers"


async def store_own_key(person: Person, workspace: str, token: str = OWN_TOKEN) -> None:
    stored = await person.put(
        f"/api/v1/workspaces/{workspace}/keys/twilio", json={"value": f"{OWN_SID}:{token}"}
    )
    assert stored.status_code == 200, stored.text


async def with_agent(cluster: Cluster, workspace: str, name: str = "desk") -> None:
    applied = await cluster.apply_agent(workspace, name, {"instructions": "Answer calls."})
    assert applied.status_code == 201, applied.text


def buy_body(number: str = "+14155550102", **extra: Any) -> dict[str, Any]:
    return {"name": "front", "phoneNumber": number, "country": "US", "agent": "desk", **extra}


@pytest.fixture
async def workspace(owner: tuple[Person, str], cluster: Cluster) -> tuple[Person, str]:
    """The owner's workspace with an agent named desk."""
    await with_agent(cluster, owner[1])
    return owner
