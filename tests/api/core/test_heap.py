"""The serving processes freeze their startup heap: what is alive then is left out of every
later collection, so a full collection no longer walks the app's modules and schemas."""

from __future__ import annotations

import gc

from arkenos_api.core.heap import freeze_startup_heap


def test_the_startup_heap_is_left_out_of_later_collections() -> None:
    survivor: list[object] = [object()]  # a list is always tracked
    gc.collect()
    assert gc.is_tracked(survivor)
    before = gc.get_freeze_count()
    try:
        freeze_startup_heap()
        frozen = gc.get_freeze_count()
        assert frozen > before
        assert len(gc.get_objects()) < frozen  # a collection's generations hold the rest only
        assert all(obj is not survivor for obj in gc.get_objects(generation=2))
    finally:
        gc.unfreeze()  # the test process goes on collecting as before
