"""Which file paths a custom agent's tree may hold: relative, normalised, printable.

A path reaches object storage keys, tar entries and the build's file system, so anything that
could mean something else in one of them (``..``, absolute paths, backslashes, control or
invisible characters, a drive letter) is refused with the reason.
"""

from __future__ import annotations

import unicodedata

from arkenos_api.core.errors import ApiError

MAX_PATH_LENGTH = 256
MAX_SEGMENT_LENGTH = 100
#: Unicode categories refused anywhere in a path: controls, format characters (bidi
#: overrides, zero-width joiners), surrogates, private use, unassigned.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def path_problem(path: str) -> str | None:
    """Why ``path`` is not allowed, or None when it is."""
    if not path:
        return "the path is empty"
    if len(path) > MAX_PATH_LENGTH:
        return f"the path is longer than {MAX_PATH_LENGTH} characters"
    if unicodedata.normalize("NFC", path) != path:
        return "the path is not in Unicode normal form C"
    for char in path:
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            return f"the path contains a control or invisible character (U+{ord(char):04X})"
    if "\\" in path:
        return "use / to separate folders, not \\"
    if path.startswith("/"):
        return "the path must be relative to the agent's folder (no leading /)"
    if len(path) >= 2 and path[1] == ":":
        return "the path must not name a drive"
    for segment in path.split("/"):
        if segment in ("", ".", ".."):
            return "the path must not contain empty, '.' or '..' segments"
        if len(segment) > MAX_SEGMENT_LENGTH:
            return f"a path segment is longer than {MAX_SEGMENT_LENGTH} characters"
        if segment != segment.strip():
            return "a path segment starts or ends with a space"
        if segment == "__pycache__":
            return "__pycache__ folders are made by Python, not stored"
    return None


def checked_path(path: str, field: str = "path") -> str:
    """``path`` when it is allowed; a 422 naming the field and the reason otherwise."""
    problem = path_problem(path)
    if problem is not None:
        raise ApiError(422, "invalid_path", f"{path!r}: {problem}", field)
    return path
