"""Identity: sign-up (the first user owns the first workspace), log-in with argon2id, wrong
passwords and lockout, session expiry and revocation, CSRF, and API token scopes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text, update

from arkenos_api.auth.models import AuthSession, User
from arkenos_api.core.db import utcnow
from arkenos_api.core.roles import Role
from tests.api.helpers import PASSWORD, Api, Cluster


async def test_first_user_owns_the_first_workspace(fresh_api: Api, cluster: Cluster) -> None:
    api = fresh_api
    first = await api.sign_up("Founder@Example.com", workspace="acme")
    assert first.status_code == 202, first.text
    assert first.json()["workspace"] == "acme"
    namespace = cluster.namespace("acme")
    assert namespace is not None
    assert namespace["metadata"]["labels"]["arkenos.io/workspace"] == "acme"
    second = await api.sign_up("second@example.com", workspace="other")
    assert second.json()["workspace"] is None
    assert cluster.namespace("other") is None
    founder = await api.log_in("founder@example.com")
    assert (await founder.get("/api/v1/auth/me")).json()["isPlatformAdmin"] is True
    second_user = await api.log_in("second@example.com")
    assert (await second_user.get("/api/v1/auth/me")).json()["isPlatformAdmin"] is False
    workspaces = (await founder.get("/api/v1/workspaces")).json()
    assert [(w["namespace"], w["role"]) for w in workspaces] == [("acme", "owner")]
    # A known email gets the new-account answer (tests/api/auth/test_enumeration.py).
    duplicate = await api.sign_up("FOUNDER@example.com")
    assert duplicate.status_code == 202


async def test_passwords_are_stored_as_argon2id(api: Api) -> None:
    person = await api.person()
    async with api.app.state.sessionmaker() as db:
        stored = await db.scalar(select(User.password_hash).where(User.email == person.email))
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


async def test_login_cookie_is_httponly_secure_samesite(api: Api) -> None:
    person = await api.person()
    async with api.client() as client:
        response = await client.post(
            "/api/v1/auth/login", json={"email": person.email, "password": PASSWORD}
        )
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("arkenos_session=")
    )
    assert "HttpOnly" in cookie
    assert "Secure" in cookie
    assert "SameSite=lax" in cookie
    me = await person.get("/api/v1/auth/me")
    assert me.json()["email"] == person.email


async def test_wrong_password_and_unknown_email_look_the_same(api: Api) -> None:
    person = await api.person()
    async with api.client() as client:
        wrong = await client.post(
            "/api/v1/auth/login", json={"email": person.email, "password": "not the password"}
        )
        unknown = await client.post(
            "/api/v1/auth/login", json={"email": "nobody@example.com", "password": "whatever"}
        )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["message"] == unknown.json()["message"]


async def test_lockout_after_repeated_failures_even_with_the_right_password(api: Api) -> None:
    person = await api.person()
    async with api.client() as client:
        for _ in range(5):
            failed = await client.post(
                "/api/v1/auth/login", json={"email": person.email, "password": "guess guess"}
            )
            assert failed.status_code == 401
        locked = await client.post(
            "/api/v1/auth/login", json={"email": person.email, "password": PASSWORD}
        )
    assert locked.status_code == 429
    assert locked.json()["code"] == "too_many_attempts"
    assert int(locked.headers["retry-after"]) > 0
    # The failures are rows in PostgreSQL, so every replica refuses; once they age out of the
    # window the right password works again.
    async with api.app.state.sessionmaker() as db:
        await db.execute(
            text("UPDATE login_attempts SET at = at - interval '1 hour' WHERE email = :e"),
            {"e": person.email},
        )
        await db.commit()
    again = await api.log_in(person.email)
    assert (await again.get("/api/v1/auth/me")).status_code == 200


async def test_expired_session_is_refused(api: Api) -> None:
    person = await api.person()
    assert (await person.get("/api/v1/auth/me")).status_code == 200
    async with api.app.state.sessionmaker() as db:
        await db.execute(
            update(AuthSession)
            .where(
                AuthSession.user_id
                == select(User.id).where(User.email == person.email).scalar_subquery()
            )
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await db.commit()
    expired = await person.get("/api/v1/auth/me")
    assert expired.status_code == 401
    assert "expired" in expired.json()["message"]


async def test_logout_revokes_the_session_server_side(api: Api) -> None:
    person = await api.person()
    cookie = person.client.cookies["arkenos_session"]
    logged_out = await person.post("/api/v1/auth/logout")
    assert logged_out.status_code == 204
    async with api.client() as replay:
        replay.cookies.set("arkenos_session", cookie)
        assert (await replay.get("/api/v1/auth/me")).status_code == 401


async def test_cookie_writes_need_the_csrf_token(api: Api) -> None:
    admin = await api.admin()
    body = {"namespace": "csrf-check"}
    no_header = await admin.client.post("/api/v1/workspaces", json=body)
    assert no_header.status_code == 403
    assert no_header.json()["code"] == "csrf_failed"
    wrong = await admin.client.post(
        "/api/v1/workspaces", json=body, headers={"X-CSRF-Token": "forged"}
    )
    assert wrong.status_code == 403
    assert (await admin.post("/api/v1/workspaces", json=body)).status_code == 201
    # Reads need no token.
    assert (await admin.client.get("/api/v1/workspaces")).status_code == 200


async def test_api_tokens_are_shown_once_stored_hashed_and_scoped(api: Api) -> None:
    admin = await api.admin()
    workspace = await api.workspace(admin)
    other = await api.workspace(admin)
    created = await admin.post(
        f"/api/v1/workspaces/{workspace}/tokens", json={"name": "ci", "role": "viewer"}
    )
    assert created.status_code == 201
    secret = created.json()["token"]
    listed = (await admin.get(f"/api/v1/workspaces/{workspace}/tokens")).json()
    assert [t["name"] for t in listed] == ["ci"]
    assert "token" not in listed[0]
    async with api.app.state.sessionmaker() as db:
        dump = await db.scalar(text("SELECT string_agg(t::text, '') FROM api_tokens t"))
    assert secret not in dump
    async with api.client() as bot:
        bot.headers["Authorization"] = f"Bearer {secret}"
        # Reads within its workspace work; no CSRF for bearer requests.
        assert (await bot.get(f"/api/v1/workspaces/{workspace}/agents")).status_code == 200
        # Its role is viewer even though its owner is the owner.
        denied = await bot.put(
            f"/api/v1/workspaces/{workspace}/keys/openai", json={"value": "sk-12345678"}
        )
        assert denied.status_code == 403
        # Another workspace of the same user is out of scope.
        assert (await bot.get(f"/api/v1/workspaces/{other}/agents")).status_code == 404
        # Tokens cannot mint tokens or create workspaces.
        minted = await bot.post(
            f"/api/v1/workspaces/{workspace}/tokens", json={"name": "x", "role": "viewer"}
        )
        assert minted.status_code == 403
        revoked = await admin.delete(
            f"/api/v1/workspaces/{workspace}/tokens/{created.json()['id']}"
        )
        assert revoked.status_code == 204
        assert (await bot.get(f"/api/v1/workspaces/{workspace}/agents")).status_code == 401


async def test_a_token_cannot_exceed_its_creators_role(api: Api) -> None:
    admin = await api.admin()
    workspace = await api.workspace(admin)
    developer = await api.member(admin, workspace, Role.DEVELOPER)
    too_high = await developer.post(
        f"/api/v1/workspaces/{workspace}/tokens", json={"name": "x", "role": "admin"}
    )
    assert too_high.status_code == 403
    assert too_high.json()["field"] == "role"


async def test_invitation_is_for_its_email_and_used_once(api: Api) -> None:
    admin = await api.admin()
    workspace = await api.workspace(admin)
    invited = await api.person()
    stranger = await api.person()
    link = await admin.post(
        f"/api/v1/workspaces/{workspace}/invitations",
        json={"email": invited.email, "role": "developer"},
    )
    assert link.json()["link"].startswith("https://arkenos.example.com/invitations/")
    token = link.json()["link"].rsplit("/", 1)[1]
    wrong_person = await stranger.post("/api/v1/invitations/accept", json={"token": token})
    assert wrong_person.status_code == 403
    accepted = await invited.post("/api/v1/invitations/accept", json={"token": token})
    assert accepted.json()["role"] == "developer"
    reused = await invited.post("/api/v1/invitations/accept", json={"token": token})
    assert reused.status_code == 404
