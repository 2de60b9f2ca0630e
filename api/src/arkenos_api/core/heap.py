"""The garbage collector's pauses, kept off the request path.

A full (oldest-generation) collection walks every container object the process holds. Once
the app is imported and built that is about 290,000 objects (modules, classes, the routes'
pydantic schemas and validators, SQLAlchemy's metadata), and a full collection of them took
120-150 ms on a 2-core machine: every request in flight waited that long, and the batches
that queued behind the pause opened extra pooled connections, each a new PostgreSQL backend,
which made the tail longer still (bench_ingest's batch p99 was 88-217 ms with a p50 of 2 ms).
Those objects live as long as the process, so collecting them finds nothing: frozen, they
are left out of every later collection (``gc.freeze``), which then walks only what was
created since.
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Collect what startup left behind, then exempt every live object from later
    collections. Called once per process, when it has imported and built what it serves and
    before it serves (``arkenos-api serve``, ``gateway``, ``jobs``)."""
    gc.collect()
    gc.freeze()
