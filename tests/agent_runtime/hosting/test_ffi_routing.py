"""livekit-rtc's events reach only the job loop that owns them (a stream's frames, a request's
answer, a room's events), and everything of unknown owner still reaches every subscriber;
checked on livekit's own queue API with its protobuf events, and end to end on the native
runtime with two job threads' audio streams. The routing is installed once however many
threads ask at the same time (the worker's first jobs may start together)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

import numpy as np
import pytest
from livekit import rtc
from livekit.rtc._ffi_client import FfiClient, FfiQueue
from livekit.rtc._proto import ffi_pb2

from arkenos_agent_runtime import ffi_routing
from arkenos_agent_runtime.ffi_routing import FirstJobRouting, RoutedFfiQueue, route_ffi_events

T = TypeVar("T")


class JobLoop:
    """An event loop running in a thread of its own, as each job's loop does in the worker."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, fn: Callable[[], T]) -> T:
        """``fn()`` on the loop's thread, inside the running loop."""

        async def call() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(call(), self.loop).result(timeout=10)

    def received(self, queue: Any) -> list[ffi_pb2.FfiEvent]:
        """What the loop has put in ``queue`` (delivery is a callback on the loop: wait for
        the loop to run what was scheduled before this)."""
        return self.run(lambda: [queue.get_nowait() for _ in range(queue.qsize())])

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


@contextmanager
def two_jobs() -> Iterator[tuple[JobLoop, JobLoop]]:
    a, b = JobLoop(), JobLoop()
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def frame_of(stream_handle: int, *, eos: bool = False) -> ffi_pb2.FfiEvent:
    event = ffi_pb2.FfiEvent()
    event.audio_stream_event.stream_handle = stream_handle
    if eos:
        event.audio_stream_event.eos.SetInParent()
    else:
        event.audio_stream_event.frame_received.SetInParent()
    return event


def stream_created(stream_handle: int) -> ffi_pb2.FfiResponse:
    response = ffi_pb2.FfiResponse()
    response.new_audio_stream.stream.handle.id = stream_handle
    return response


def audio_only(event: ffi_pb2.FfiEvent) -> bool:
    # livekit's AudioStream filter: by type only, the stream handle is checked on the loop
    return event.WhichOneof("message") == "audio_stream_event"


def test_a_streams_frames_go_only_to_the_loop_that_created_it() -> None:
    queue = RoutedFfiQueue()
    with two_jobs() as (a, b):
        on_a = a.run(lambda: queue.subscribe(filter_fn=audio_only))
        on_b = b.run(lambda: queue.subscribe(filter_fn=audio_only))
        a.run(lambda: queue.learn(stream_created(7)))
        b.run(lambda: queue.learn(stream_created(8)))

        queue.put(frame_of(7))
        queue.put(frame_of(8))
        queue.put(frame_of(8))

        assert [e.audio_stream_event.stream_handle for e in a.received(on_a)] == [7]
        assert [e.audio_stream_event.stream_handle for e in b.received(on_b)] == [8, 8]


def test_events_of_unknown_owner_reach_every_subscriber() -> None:
    queue = RoutedFfiQueue()
    with two_jobs() as (a, b):
        on_a = a.run(lambda: queue.subscribe())
        on_b = b.run(lambda: queue.subscribe())
        # A stream created off any event loop, and one nobody announced.
        queue.learn(stream_created(9))
        queue.put(frame_of(9))
        queue.put(frame_of(10))
        participant = ffi_pb2.FfiEvent()
        participant.room_event.room_handle = 3
        participant.room_event.participant_connected.SetInParent()
        queue.put(participant)

        for job, received in ((a, on_a), (b, on_b)):
            assert [e.WhichOneof("message") for e in job.received(received)] == [
                "audio_stream_event",
                "audio_stream_event",
                "room_event",
            ]


def test_a_stream_whose_loop_stopped_listening_is_delivered_as_livekit_would() -> None:
    queue = RoutedFfiQueue()
    with two_jobs() as (a, b):
        on_a = a.run(lambda: queue.subscribe(filter_fn=audio_only))
        on_b = b.run(lambda: queue.subscribe(filter_fn=audio_only))
        a.run(lambda: queue.learn(stream_created(7)))
        queue.unsubscribe(on_a)

        queue.put(frame_of(7))

        assert len(b.received(on_b)) == 1


def test_the_end_of_a_stream_forgets_its_owner() -> None:
    queue = RoutedFfiQueue()
    with two_jobs() as (a, b):
        on_a = a.run(lambda: queue.subscribe(filter_fn=audio_only))
        on_b = b.run(lambda: queue.subscribe(filter_fn=audio_only))
        a.run(lambda: queue.learn(stream_created(7)))

        queue.put(frame_of(7, eos=True))
        queue.put(frame_of(7))  # a handle the native side reuses is no longer a's

        assert len(a.received(on_a)) == 2
        assert len(b.received(on_b)) == 1


def test_an_answer_goes_to_the_loop_that_asked_and_its_room_follows() -> None:
    queue = RoutedFfiQueue()
    with two_jobs() as (a, b):
        on_a = a.run(lambda: queue.subscribe())
        on_b = b.run(lambda: queue.subscribe())
        asked = ffi_pb2.FfiResponse()
        asked.connect.async_id = 41
        a.run(lambda: queue.learn(asked))

        connected = ffi_pb2.FfiEvent()
        connected.connect.async_id = 41
        connected.connect.result.room.handle.id = 5
        queue.put(connected)
        room = ffi_pb2.FfiEvent()
        room.room_event.room_handle = 5
        room.room_event.participant_connected.SetInParent()
        queue.put(room)

        assert [e.WhichOneof("message") for e in a.received(on_a)] == ["connect", "room_event"]
        assert b.received(on_b) == []


def test_an_answer_that_came_before_its_response_was_read_is_not_remembered() -> None:
    queue = RoutedFfiQueue()
    with two_jobs() as (a, b):
        on_a = a.run(lambda: queue.subscribe())
        on_b = b.run(lambda: queue.subscribe())
        answer = ffi_pb2.FfiEvent()
        answer.capture_audio_frame.async_id = 12
        queue.put(answer)  # the native side answered before the request returned
        asked = ffi_pb2.FfiResponse()
        asked.capture_audio_frame.async_id = 12
        a.run(lambda: queue.learn(asked))

        assert len(a.received(on_a)) == 1
        assert len(b.received(on_b)) == 1
        assert not queue._asyncs  # nothing left waiting for an answer that came already


def test_on_the_native_runtime_one_jobs_frames_do_not_wake_the_other_job() -> None:
    """Two job threads, each with an audio track and a stream of it: the frames captured
    in one job reach its stream, and the other job's loop is handed none of them."""
    route_ffi_events()
    with two_jobs() as (a, b):

        def listen(name: str) -> tuple[rtc.AudioSource, rtc.AudioStream]:
            source = rtc.AudioSource(16000, 1)
            track = rtc.LocalAudioTrack.create_audio_track(name, source)
            return source, rtc.AudioStream.from_track(track=track, sample_rate=16000)

        source_a, stream_a = a.run(lambda: listen("a"))
        _, stream_b = b.run(lambda: listen("b"))
        handed_to_b: list[ffi_pb2.FfiEvent] = []
        deliver = b.loop.call_soon_threadsafe

        def recording(callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            handed_to_b.extend(arg for arg in args if isinstance(arg, ffi_pb2.FfiEvent))
            return deliver(callback, *args, **kwargs)

        b.loop.call_soon_threadsafe = recording  # type: ignore[method-assign,assignment]

        async def speak_and_hear() -> int:
            frame = rtc.AudioFrame(np.zeros(160, np.int16).tobytes(), 16000, 1, 160)
            heard = 0
            for _ in range(20):
                await source_a.capture_frame(frame)
            async with asyncio.timeout(5):
                async for _ in stream_a:
                    heard += 1
                    if heard == 20:
                        break
            return heard

        heard = asyncio.run_coroutine_threadsafe(speak_and_hear(), a.loop).result(timeout=10)
        asyncio.run_coroutine_threadsafe(stream_a.aclose(), a.loop).result(timeout=10)
        asyncio.run_coroutine_threadsafe(stream_b.aclose(), b.loop).result(timeout=10)

    assert heard == 20
    a_handle = stream_a._ffi_handle.handle
    b_handle = stream_b._ffi_handle.handle
    streams_b_was_handed = {
        e.audio_stream_event.stream_handle
        for e in handed_to_b
        if e.WhichOneof("message") == "audio_stream_event"
    }
    assert a_handle not in streams_b_was_handed
    assert streams_b_was_handed <= {b_handle}


class UnstartedClient(FfiClient):
    """livekit's client without its native runtime (``__init__`` not run), whose ``queue``
    counts its readers: enough for ``route_ffi_events``, which swaps the queue and wraps
    ``request``."""

    def __init__(self) -> None:  # not livekit's, which would start the runtime
        self._queue = FfiQueue[ffi_pb2.FfiEvent]()
        self.readers = threading.Semaphore(0)

    @property
    def queue(self) -> FfiQueue[ffi_pb2.FfiEvent]:
        self.readers.release()
        return self._queue

    def request(self, req: ffi_pb2.FfiRequest) -> ffi_pb2.FfiResponse:
        response = ffi_pb2.FfiResponse()
        response.new_audio_stream.stream.handle.id = 7
        return response


def test_two_threads_routing_one_client_at_once_install_one_queue() -> None:
    client = UnstartedClient()
    before = client._queue
    with ThreadPoolExecutor(2) as pool:
        with before._lock:
            routed = [pool.submit(route_ffi_events, client) for _ in range(2)]
            # Both have read the unrouted queue and wait for its lock.
            for _ in range(2):
                assert client.readers.acquire(timeout=10)
        queues = {future.result(timeout=10) for future in routed}

    assert len(queues) == 1
    (queue,) = queues
    assert client._queue is queue
    # The request is wrapped once: the response is learned by the one queue installed.
    with two_jobs() as (a, _):
        a.run(lambda: client.request(ffi_pb2.FfiRequest()))
    assert set(queue._streams) == {7}


def test_the_first_jobs_routing_is_installed_once_when_jobs_start_together(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    installs: list[RoutedFfiQueue] = []
    started = threading.Barrier(4)

    def install() -> RoutedFfiQueue:
        installs.append(RoutedFfiQueue())
        # As long as the others take to come in, if they were let in.
        threading.Event().wait(0.1)
        return installs[-1]

    monkeypatch.setattr(ffi_routing, "route_ffi_events", install)
    routing = FirstJobRouting()
    assert not routing.installed

    def job_starts() -> RoutedFfiQueue:
        started.wait(timeout=10)
        return routing.install()

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(job_starts) for _ in range(4)]
        queues = {future.result(timeout=10) for future in futures}

    assert routing.installed
    assert len(installs) == 1
    assert queues == {installs[0]}
