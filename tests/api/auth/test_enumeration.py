"""Sign-up does not tell who has an account: a known email gets exactly the answer a new one
gets, and the existing account (its password) is left as it was."""

from __future__ import annotations

from tests.api.helpers import PASSWORD, Api


async def test_known_and_unknown_emails_get_the_same_answer(api: Api) -> None:
    await api.admin()  # so neither sign-up below is the very first one
    known = await api.person()
    again = await api.sign_up(known.email, password="another long passphrase here")
    new = await api.sign_up("never-seen-before@example.com", password="another long passphrase")
    assert again.status_code == new.status_code == 202
    assert again.json() == new.json() == {"workspace": None}
    assert set(again.headers) - {"x-request-id"} == set(new.headers) - {"x-request-id"}
    # The known account kept its password; the sign-up attempt changed nothing.
    assert (await api.log_in(known.email, PASSWORD)).csrf
    async with api.client() as client:
        refused = await client.post(
            "/api/v1/auth/login",
            json={"email": known.email, "password": "another long passphrase here"},
        )
    assert refused.status_code == 401
