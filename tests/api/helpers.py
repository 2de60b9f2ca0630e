"""Small factories for the API tests: people with their own cookie jars, workspaces and
members with a given role."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from arkenos_api.auth.models import User
from arkenos_api.core.roles import Role
from tests.api.token_reviews import TokenAuthority
from tests.substrate.kubernetes import RunningEmulator

ADMIN_EMAIL = "admin@example.com"
VOICEAGENTS = "arkenos.io/v1alpha1/voiceagents"
NAMESPACES = "v1/namespaces"
PASSWORD = "correct horse battery staple"


@dataclass
class Person:
    """A logged-in user: their own client (cookie jar) and CSRF token."""

    email: str
    client: httpx.AsyncClient
    csrf: str

    def headers(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.get(url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.post(url, headers=self.headers(), **kwargs)

    async def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.put(url, headers=self.headers(), **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.delete(url, headers=self.headers(), **kwargs)


class Api:
    """The app under test, reached in-process."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def client(self) -> httpx.AsyncClient:
        # https so that the Secure session cookie is sent back, as a browser would.
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="https://testserver"
        )

    async def sign_up(self, email: str, password: str = PASSWORD, **extra: Any) -> httpx.Response:
        async with self.client() as client:
            return await client.post(
                "/api/v1/auth/signup", json={"email": email, "password": password, **extra}
            )

    async def log_in(self, email: str, password: str = PASSWORD) -> Person:
        client = self.client()
        response = await client.post(
            "/api/v1/auth/login", json={"email": email, "password": password}
        )
        assert response.status_code == 200, response.text
        return Person(email, client, response.json()["csrfToken"])

    async def person(self, email: str | None = None) -> Person:
        email = email or f"user-{uuid.uuid4().hex[:8]}@example.com"
        response = await self.sign_up(email)
        assert response.status_code == 202, response.text
        return await self.log_in(email)

    async def admin(self) -> Person:
        """A platform admin (made so directly, whichever user came first in this database)."""
        response = await self.sign_up(ADMIN_EMAIL, workspace="admin-home")
        assert response.status_code == 202, response.text
        async with self.app.state.sessionmaker() as db:
            await db.execute(
                update(User).where(User.email == ADMIN_EMAIL).values(is_platform_admin=True)
            )
            await db.commit()
        return await self.log_in(ADMIN_EMAIL)

    async def workspace(self, admin: Person, namespace: str | None = None) -> str:
        namespace = namespace or f"ws-{uuid.uuid4().hex[:8]}"
        response = await admin.post("/api/v1/workspaces", json={"namespace": namespace})
        assert response.status_code == 201, response.text
        return namespace

    async def member(self, admin: Person, namespace: str, role: Role) -> Person:
        person = await self.person()
        # Owners are made by an owner changing a role; start from an admin invitation.
        invited_role = Role.ADMIN if role is Role.OWNER else role
        link = await admin.post(
            f"/api/v1/workspaces/{namespace}/invitations",
            json={"email": person.email, "role": invited_role},
        )
        assert link.status_code == 201, link.text
        token = link.json()["link"].rsplit("/", 1)[1]
        accepted = await person.post("/api/v1/invitations/accept", json={"token": token})
        assert accepted.status_code == 200, accepted.text
        if role is Role.OWNER:
            me = (await person.get("/api/v1/auth/me")).json()
            changed = await admin.put(
                f"/api/v1/workspaces/{namespace}/members/{me['id']}", json={"role": "owner"}
            )
            assert changed.status_code == 204, changed.text
        return person


@dataclass
class Cluster:
    """The emulated cluster as kubectl sees it, and the tokens it issues to workloads."""

    k8s: RunningEmulator
    authority: TokenAuthority

    def agent(self, namespace: str, name: str) -> dict[str, Any] | None:
        return self.k8s.get_object(VOICEAGENTS, namespace, name)

    def namespace(self, name: str) -> dict[str, Any] | None:
        return self.k8s.get_object(NAMESPACES, None, name)

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.k8s.url) as client:
            return await client.request(method, path, **kwargs)

    async def apply_agent(self, namespace: str, name: str, spec: dict[str, Any]) -> httpx.Response:
        """Create a VoiceAgent directly, as kubectl apply would."""
        manifest = {
            "apiVersion": "arkenos.io/v1alpha1",
            "kind": "VoiceAgent",
            "metadata": {"name": name, "namespace": namespace},
            "spec": spec,
        }
        path = f"/apis/arkenos.io/v1alpha1/namespaces/{namespace}/voiceagents"
        return await self.request("POST", path, json=manifest)
