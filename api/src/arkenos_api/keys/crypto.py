"""Envelope encryption of provider keys.

Each workspace has a random 256-bit data key. Provider keys are encrypted with AES-256-GCM
under it; the data key is itself encrypted ("wrapped") with AES-256-GCM under a master key
that lives outside the database (a mounted file or the environment). Every ciphertext is bound
to what it belongs to through GCM's associated data, so a row copied elsewhere does not
decrypt. Master keys carry ids so that rotation can unwrap with the old key and wrap with the
new one.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
KEY_BYTES = 32


class KeyringError(RuntimeError):
    """The master keys are missing, malformed or do not match the stored data keys."""


def seal(key: bytes, plaintext: bytes, context: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def open_sealed(key: bytes, sealed: bytes, context: bytes) -> bytes:
    """Decrypt; raises ``InvalidTag`` when the key or the context is wrong."""
    return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context)


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


@dataclass(frozen=True)
class Keyring:
    """The master keys: the active one wraps, every one may unwrap."""

    active_id: str
    keys: dict[str, bytes]

    @classmethod
    def parse(cls, text: str) -> Keyring:
        """Parse ``id:base64key`` entries separated by commas or newlines; the first is active."""
        keys: dict[str, bytes] = {}
        order: list[str] = []
        for entry in text.replace(",", "\n").splitlines():
            entry = entry.strip()
            if not entry or entry.startswith("#"):
                continue
            key_id, sep, encoded = entry.partition(":")
            if not sep or not key_id:
                raise KeyringError("a master key entry must look like id:base64key")
            try:
                key = base64.b64decode(encoded, validate=True)
            except binascii.Error as exc:
                raise KeyringError(f"master key {key_id} is not valid base64") from exc
            if len(key) != KEY_BYTES:
                raise KeyringError(f"master key {key_id} must be {KEY_BYTES} bytes, not {len(key)}")
            keys[key_id] = key
            order.append(key_id)
        if not order:
            raise KeyringError("no master key configured")
        return cls(active_id=order[0], keys=keys)

    def wrap(self, data_key: bytes, context: bytes) -> tuple[str, bytes]:
        return self.active_id, seal(self.keys[self.active_id], data_key, context)

    def unwrap(self, key_id: str, wrapped: bytes, context: bytes) -> bytes:
        key = self.keys.get(key_id)
        if key is None:
            raise KeyringError(
                f"a data key is wrapped with master key {key_id!r}, which is not configured: "
                "add it back to the master keys (rotation needs old and new keys together)"
            )
        try:
            return open_sealed(key, wrapped, context)
        except InvalidTag as exc:
            raise KeyringError(
                f"master key {key_id!r} does not decrypt the stored data keys: the configured "
                "key is wrong (not the one the keys were stored with)"
            ) from exc
