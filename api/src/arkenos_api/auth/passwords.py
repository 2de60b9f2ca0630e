"""Password strength: zxcvbn (Dropbox's estimator, kept as the ``zxcvbn`` package) scores a
password against common passwords, names, keyboard patterns, repeats and dates, and against
what it knows of the person (their email and its parts), so ``password1234`` and the email
itself are refused while a long passphrase passes."""

from __future__ import annotations

import asyncio
import re

from zxcvbn import zxcvbn

from arkenos_api.core.errors import FieldIssue, validation_error

#: zxcvbn's score runs 0-4; 3 is "safely unguessable: moderate protection from offline
#: slow-hash scenario" (argon2id here), the level its authors suggest for sign-up.
MIN_SCORE = 3
#: zxcvbn refuses longer input, and its matching grows with length: the first 72 characters
#: decide (a longer password is at least as strong as its prefix).
_SCORED_PREFIX = 72


def _context(email: str) -> list[str]:
    local, _, domain = email.partition("@")
    return [email, local, *re.split(r"[._+-]", local), *domain.split(".")]


def _score(password: str, email: str) -> tuple[int, str]:
    result = zxcvbn(password[:_SCORED_PREFIX], user_inputs=_context(email))
    feedback = result["feedback"]
    hint = feedback.get("warning") or " ".join(feedback.get("suggestions") or [])
    return int(result["score"]), hint


async def check_password_strength(password: str, email: str) -> None:
    """Raise a 422 naming the password field when zxcvbn scores it below ``MIN_SCORE``."""
    # A few milliseconds of CPU (more for long inputs): off the event loop.
    score, hint = await asyncio.to_thread(_score, password, email)
    if score < MIN_SCORE:
        message = "this password is too easy to guess"
        message += f": {hint}" if hint else "; add more words or characters"
        raise validation_error([FieldIssue(field="password", message=message)])
