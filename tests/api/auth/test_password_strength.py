"""Sign-up refuses guessable passwords (zxcvbn): repeats, common passwords and the person's
own email, with a 422 that names the password field and says why."""

from __future__ import annotations

import pytest

from tests.api.helpers import Api


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaa",
        "password1234",
        "qwertyuiop123",
        "grace.hopper@example.com",  # the email itself
        "grace.hopper1",  # the email's local part and a digit
        "Grace.Hopper!",
    ],
)
async def test_guessable_passwords_are_refused(api: Api, password: str) -> None:
    response = await api.sign_up("grace.hopper@example.com", password=password)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["field"] == "password"
    assert "too easy to guess" in body["message"]


async def test_a_long_passphrase_is_accepted(api: Api) -> None:
    response = await api.sign_up("ada@example.com", password="violet kettle drums at noon")
    assert response.status_code == 202, response.text
