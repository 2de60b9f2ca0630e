"""Secret-looking values in tool arguments and results are shown by their last four characters
only: a value under a key that names a secret, and a value shaped like a bearer token or an
API key wherever it appears."""

from __future__ import annotations

import re
from typing import Any

SECRET_KEY = re.compile(
    r"(pass(word)?|secret|token|api[-_]?key|auth(orization)?|credential|cookie|private[-_]?key)",
    re.IGNORECASE,
)
SECRET_VALUE = re.compile(
    r"(?i)\b(bearer\s+[A-Za-z0-9._~+/=-]{8,}|sk-[A-Za-z0-9_-]{8,}|ark_[A-Za-z0-9_-]{8,}"
    r"|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+)"
)


def mask(value: str) -> str:
    return "****" + value[-4:] if len(value) > 8 else "****"


def _mask_match(match: re.Match[str]) -> str:
    return mask(match.group(0))


def redact(value: Any, key: str | None = None) -> Any:
    """A copy of ``value`` (JSON) with secrets masked."""
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(item, key) for item in value]
    if isinstance(value, str):
        if key is not None and SECRET_KEY.search(key):
            return mask(value)
        return SECRET_VALUE.sub(_mask_match, value)
    if key is not None and SECRET_KEY.search(key) and value is not None:
        return "****"
    return value
