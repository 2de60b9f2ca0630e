"""A faithful TokenReview responder for the emulated API server (kmock reaction on
``POST /apis/authentication.k8s.io/v1/tokenreviews``, a virtual resource the substrate leaves
to reactions).

It knows which projected ServiceAccount tokens it has issued and for which audiences. Like the
real authenticator: an unknown token, or a token asked about for audiences it was not issued
for, is ``authenticated: false``; a successful review's ``audiences`` is the intersection.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

import kmock

from tests.substrate.kubernetes import RunningEmulator

TOKEN_REVIEW_PATH = "/apis/authentication.k8s.io/v1/tokenreviews"


@dataclass
class IssuedToken:
    username: str
    audiences: tuple[str, ...]


@dataclass
class TokenAuthority:
    """Tokens the emulated cluster issued; ``reviews`` counts the TokenReviews it answered."""

    tokens: dict[str, IssuedToken] = field(default_factory=dict)
    reviews: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(self, namespace: str, service_account: str, audiences: tuple[str, ...]) -> str:
        token = f"sa-token-{uuid.uuid4().hex}"
        username = f"system:serviceaccount:{namespace}:{service_account}"
        with self._lock:
            self.tokens[token] = IssuedToken(username, audiences)
        return token

    def review(self, body: dict[str, Any]) -> dict[str, Any]:
        spec = body.get("spec", {})
        with self._lock:
            self.reviews += 1
            issued = self.tokens.get(spec.get("token", ""))
        wanted = spec.get("audiences") or []
        audiences = [a for a in wanted if issued and a in issued.audiences]
        status: dict[str, Any] = {"authenticated": False}
        if issued is not None and (not wanted or audiences):
            status = {
                "authenticated": True,
                "user": {"username": issued.username, "groups": ["system:serviceaccounts"]},
                "audiences": audiences or list(issued.audiences),
            }
        elif issued is not None:
            status["error"] = "token audiences are invalid"
        return {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenReview",
            "metadata": {},
            "spec": spec,
            "status": status,
        }

    def install(self, k8s: RunningEmulator) -> None:
        """Answer TokenReviews on ``k8s`` (until its next reset)."""

        def respond(request: kmock.Request) -> dict[str, Any]:
            return self.review(request.data or {})

        def add_reaction() -> None:
            k8s.emulator[f"post {TOKEN_REVIEW_PATH}"] << respond

        k8s.call(add_reaction)
