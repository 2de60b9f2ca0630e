"""Constant-time request matching for kmock, for benchmarks that send tens of thousands of
requests to the emulated API.

kmock decides which reaction serves a request by checking ``request in reaction's view``,
and a view answers that by scanning every request the server has ever received: each request
costs time proportional to the history, so a long benchmark slows down quadratically and ends
up measuring the emulator instead of the code under test. For the views the emulator's own
reactions use (the root, criteria filters and priorities), membership is decided by the
request alone; this patch answers those directly and leaves every other view to kmock.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from kmock._internal import dsl, rendering

_original_contains = dsl.View.__contains__


def _sees(view: dsl.View, request: rendering.Request) -> bool | None:
    """Whether ``view`` sees ``request``, or None when only kmock's scan can tell."""
    if isinstance(view, dsl.Root):  # the emulator itself is a root
        return True  # the request is in the log of the root that is handling it
    kind = type(view)
    if kind is dsl.Filter:
        if not view.criteria(request):  # type: ignore[attr-defined]
            return False
        return _sees(view._source, request)  # type: ignore[attr-defined]
    if kind in (dsl.Priority, dsl.Chained):
        return _sees(view._source, request)  # type: ignore[attr-defined]
    return None


def _contains(self: dsl.View, item: Any) -> bool:
    if isinstance(item, rendering.Request):
        seen = _sees(self, item)
        if seen is not None:
            return seen
    return _original_contains(self, item)


def install() -> None:
    dsl.View.__contains__ = _contains  # type: ignore[method-assign]


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """The constant-time matching for the block only (for a test in a shared process)."""
    dsl.View.__contains__ = _contains  # type: ignore[method-assign]
    try:
        yield
    finally:
        dsl.View.__contains__ = _original_contains  # type: ignore[method-assign]
