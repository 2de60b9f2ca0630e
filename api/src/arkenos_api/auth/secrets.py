"""Password hashing (argon2id) and the random secrets behind cookies, CSRF tokens, API tokens
and invitation links, which are stored only as SHA-256 hashes."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: argon2-cffi's defaults are the RFC 9106 low-memory profile of argon2id.
_HASHER = PasswordHasher()
API_TOKEN_PREFIX = "ark_"  # noqa: S105 - a prefix, not a secret


async def hash_password(password: str) -> str:
    # argon2 takes tens of milliseconds of CPU on purpose: keep it off the event loop.
    return await asyncio.to_thread(_HASHER.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return _HASHER.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


async def burn_password_time(password: str) -> None:
    """Spend as long as a real verification so unknown emails are not told apart by timing."""
    await verify_password(_dummy_hash(), password)


@cache
def _dummy_hash() -> str:
    return _HASHER.hash("arkenos-timing-equaliser")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def new_api_token() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def same_digest(secret: str, expected: bytes) -> bool:
    return hmac.compare_digest(digest(secret), expected)
