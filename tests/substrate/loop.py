"""An asyncio event loop in a background thread, so sync and async tests can host servers alike.

Servers started here (the Kubernetes emulator, test doubles) keep running while a test blocks,
and while a test's own event loop is busy: they never share a loop with the code under test.
"""

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, Self, TypeVar

T = TypeVar("T")

STARTUP_TIMEOUT = 10.0
SHUTDOWN_TIMEOUT = 10.0


class BackgroundLoop:
    """A context manager owning a daemon thread that runs one event loop until exit.

    On exit, the tasks still running in the loop are cancelled and awaited, async generators
    and the default executor are shut down, and the loop is closed (``asyncio.Runner`` does it).
    """

    def __init__(self, name: str = "background-loop") -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError(f"The loop {self._name!r} is not running.")
        return self._loop

    def __enter__(self) -> Self:
        self._thread.start()
        if not self._ready.wait(STARTUP_TIMEOUT):
            raise RuntimeError(f"The loop {self._name!r} did not start.")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(SHUTDOWN_TIMEOUT)
        if self._thread.is_alive():
            raise RuntimeError(f"The loop {self._name!r} did not stop.")
        self._loop = None

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run a coroutine in the background loop and wait for its result from this thread."""
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Call a plain function inside the background loop's thread and return its result."""

        async def call_in_loop() -> T:
            return fn(*args)

        return self.run(call_in_loop())

    def _main(self) -> None:
        with asyncio.Runner() as runner:
            self._loop = runner.get_loop()
            self._ready.set()
            self._loop.run_forever()
