"""The ingest raises the garbage collector's thresholds for its own length only."""

from __future__ import annotations

import gc

from jeugdregie.ijw.gc_thresholds import INGEST_THRESHOLDS, fewer_collections


def test_thresholds_are_raised_in_the_block_and_restored_after_it() -> None:
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        with fewer_collections():
            assert gc.get_threshold() == INGEST_THRESHOLDS
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*before)


def test_thresholds_are_restored_when_the_block_fails() -> None:
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        try:
            with fewer_collections():
                raise KeyboardInterrupt
        except KeyboardInterrupt:
            pass
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*before)


def test_higher_thresholds_set_by_the_caller_are_kept() -> None:
    before = gc.get_threshold()
    try:
        gc.set_threshold(100_000, 10, 10)
        with fewer_collections():
            assert gc.get_threshold() == (100_000, 10, 10)
    finally:
        gc.set_threshold(*before)
