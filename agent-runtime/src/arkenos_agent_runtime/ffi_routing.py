"""livekit-rtc's events go to the job that waits for them, not to every job of the worker.

livekit-rtc hands every event of its native runtime (an audio frame of a call, the answer to
a captured frame, a sent byte stream) to one process-wide queue, which copies it to every
subscriber's event loop (``call_soon_threadsafe``: a self-pipe write and a wake-up of that
loop), and each subscriber then keeps what is its own: an audio stream the frames of its
stream handle, a room the events of its room handle, a waiting request its async id. With
jobs as threads of one process (``hosting``), every call's loop is woken for every other
call's events: measured at 6 calls (tests/bench/bench_voice_rtc.py), 236 events a second
became 2,026 deliveries, 6 loops each, so the wasted wake-ups grow with the square of the
calls one worker carries.

``route_ffi_events`` puts in livekit's place a queue that knows which event loop each stream
handle, room handle and async id belongs to (learned from the responses of the requests made
on that loop), and delivers such an event only to the subscribers on that loop. An event of
unknown owner, or one whose owner has no subscriber that takes it, goes to every subscriber
as livekit delivers it; per loop the order of events is unchanged.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from livekit.rtc._ffi_client import FfiClient, FfiQueue
from livekit.rtc._proto import ffi_pb2

logger = logging.getLogger("arkenos.worker")

#: How many stream and room handles, and how many unanswered async ids, are remembered; the
#: oldest are forgotten first (their events then go to every subscriber, as livekit delivers
#: them). Handles are forgotten at their end of stream, async ids once answered.
OWNERS_LIMIT = 4096

#: Responses that create an audio stream: its frames belong to the loop that asked for it.
_STREAM_RESPONSES = ("new_audio_stream", "audio_stream_from_participant")

Loop = asyncio.AbstractEventLoop
V = TypeVar("V")
Subscriber = tuple[Any, Loop, Callable[[Any], bool] | None]


class _Bounded(OrderedDict[int, V]):
    """Values by id, the oldest forgotten past OWNERS_LIMIT."""

    def remember(self, key: int, value: V) -> None:
        self[key] = value
        while len(self) > OWNERS_LIMIT:
            self.popitem(last=False)


def _has_async_id(message_type: str, container: Any) -> bool:
    descriptor = container.DESCRIPTOR.fields_by_name[message_type].message_type
    return descriptor is not None and "async_id" in descriptor.fields_by_name


class RoutedFfiQueue(FfiQueue[ffi_pb2.FfiEvent]):
    """livekit's event queue, delivering an event of known owner to its loop's subscribers."""

    def __init__(self) -> None:
        super().__init__()
        self._streams: _Bounded[Loop] = _Bounded()
        self._rooms: _Bounded[Loop] = _Bounded()
        self._asyncs: _Bounded[Loop] = _Bounded()
        # Callbacks that came before their request's response was read (the native side may
        # answer at once): their async ids are not remembered when the response comes.
        self._answered: _Bounded[bool] = _Bounded()
        # Which event and response types carry an async id (protobuf descriptors, cached).
        self._event_async: dict[str, bool] = {}
        self._response_async: dict[str, bool] = {}

    # --- learning owners: on the thread that made the request -------------------------------

    def learn(self, response: ffi_pb2.FfiResponse) -> None:
        """Remember the loop of the running thread as the owner of what ``response`` starts:
        the callback of its async id, or the frames of the audio stream it created."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # not asked from an event loop: its events go to every subscriber
        which = response.WhichOneof("message")
        if which is None:
            return
        message = getattr(response, which)
        if which in _STREAM_RESPONSES:
            with self._lock:
                self._streams.remember(message.stream.handle.id, loop)
            return
        has_async = self._response_async.get(which)
        if has_async is None:
            has_async = self._response_async[which] = _has_async_id(which, response)
        if has_async:
            with self._lock:
                if self._answered.pop(message.async_id, None) is None:
                    self._asyncs.remember(message.async_id, loop)

    # --- delivering: on livekit's callback thread -------------------------------------------

    def _owner(self, event: ffi_pb2.FfiEvent) -> Loop | None:
        which = event.WhichOneof("message")
        if which == "audio_stream_event":
            stream = event.audio_stream_event
            if stream.HasField("eos"):
                return self._streams.pop(stream.stream_handle, None)
            return self._streams.get(stream.stream_handle)
        if which == "room_event":
            room = event.room_event
            if room.HasField("eos"):
                return self._rooms.pop(room.room_handle, None)
            return self._rooms.get(room.room_handle)
        if which is None:
            return None
        has_async = self._event_async.get(which)
        if has_async is None:
            has_async = self._event_async[which] = _has_async_id(which, event)
        if not has_async:
            return None
        async_id = getattr(event, which).async_id
        loop = self._asyncs.pop(async_id, None)
        if loop is None:
            self._answered.remember(async_id, True)
            return None
        if which == "connect" and event.connect.HasField("result"):
            # The room the connection made: its events belong to the loop that connected.
            self._rooms.remember(event.connect.result.room.handle.id, loop)
        return loop

    def put(self, item: ffi_pb2.FfiEvent) -> None:
        with self._lock:
            owner = self._owner(item)
            subscribers: list[Subscriber] = self._subscribers
            if owner is not None:
                own = [s for s in subscribers if s[1] is owner and _takes(s, item)]
                if own:
                    _deliver(own, item)
                    return
            _deliver([s for s in subscribers if _takes(s, item)], item)


def _takes(subscriber: Subscriber, item: ffi_pb2.FfiEvent) -> bool:
    filter_fn = subscriber[2]
    if filter_fn is None:
        return True
    try:
        return bool(filter_fn(item))
    except Exception:  # any filter's error, as livekit's queue takes it
        # As livekit's queue does, deliver the event; unlike it, say so (a filter that fails
        # is livekit's bug, and silently delivering hides it).
        logger.warning("An FFI event filter failed; the event is delivered.", exc_info=True)
        return True


def _deliver(subscribers: list[Subscriber], item: ffi_pb2.FfiEvent) -> None:
    for queue, loop, _ in subscribers:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError as error:
            # A loop closed without unsubscribing first (as livekit's queue logs it).
            logger.error("error putting to queue: %s", error)


def route_ffi_events(client: FfiClient | None = None) -> RoutedFfiQueue:
    """Route livekit-rtc's events in this process by owner (idempotent): the worker's
    client gets a ``RoutedFfiQueue`` (with the subscribers it already had) and its requests
    teach the queue their owners."""
    client = client or FfiClient.instance
    current = client.queue
    if isinstance(current, RoutedFfiQueue):
        return current
    routed = RoutedFfiQueue()
    with current._lock:
        installed = client.queue
        if isinstance(installed, RoutedFfiQueue):
            return installed  # routed by another thread while this one waited for the lock
        routed._subscribers.extend(current._subscribers)
        client._queue = routed
    request = client.request

    def learning_request(req: ffi_pb2.FfiRequest) -> ffi_pb2.FfiResponse:
        response = request(req)
        routed.learn(response)
        return response

    # The instance's own attribute: livekit-rtc calls FfiClient.instance.request(...).
    client.request = learning_request  # type: ignore[method-assign]
    return routed


class FirstJobRouting:
    """Routes the process's events from its first job on, once (``route_ffi_events``).

    Getting livekit's client (``FfiClient.instance``) starts its native runtime: a tokio
    runtime and an audio thread. A worker that serves no call never started it before the
    routing came; installing the routing at worker start started it in every worker, and
    one that then exited quickly could abort in that runtime (SIGABRT, "panic in a function
    that cannot unwind" in tokio-rt-worker). So the routing waits for the first job, whose
    room starts the runtime anyway. The lock makes a job that starts while another installs
    wait until the client's requests teach the routed queue too, so no early request of it
    goes unlearned.

    ``also``: the worker's other set-up of livekit's client, run once, just after the routing
    and before any job goes on (``native_logs.print_native_logs``)."""

    def __init__(self, also: Callable[[], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._queue: RoutedFfiQueue | None = None
        self._also = also

    @property
    def installed(self) -> bool:
        return self._queue is not None

    def install(self) -> RoutedFfiQueue:
        """The routed queue, installed by the first caller (any thread)."""
        with self._lock:
            if self._queue is None:
                self._queue = route_ffi_events()
                if self._also is not None:
                    self._also()
            return self._queue
