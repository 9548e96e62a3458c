"""The garbage collector's pace: frozen start-up and test-run objects, swept now and then.

core.long_lived pauses the collector while long-lived objects are made and freezes them;
core.testing.gcpace freezes what survives every few tests and sweeps now and then.

A full collection walks every object of the process; an app and a long test run hold
more than a million. ``create_app`` freezes what it built, and the test kit's pacer
freezes what survives every few tests: these tests prove that frozen objects stay out
of collections, that garbage made between freezes is still freed, and that a sweep frees
a cycle that died after it was frozen.
"""

from __future__ import annotations

import contextlib
import gc
import weakref
from typing import TYPE_CHECKING

import pytest

from core.app import create_app
from core.config import Settings
from core.long_lived import long_lived_objects
from core.testing import gcpace
from core.testing import plugin as kit
from core.testing.gcpace import FREEZE_EVERY, GcPacer

if TYPE_CHECKING:
    from pathlib import Path


class _Node:
    """One end of a reference cycle: only the collector frees it."""

    def __init__(self) -> None:
        self.other: _Node | None = None


def _cycle() -> weakref.ref[_Node]:
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def _finish(pacer: GcPacer, tests: int) -> None:
    for _ in range(tests):
        pacer.test_done()


def test_a_cycle_that_dies_between_freezes_is_freed_at_the_next_freeze() -> None:
    pacer = GcPacer()
    gc.disable()  # only the pacer collects here
    try:
        dead = _cycle()
        assert dead() is not None
        _finish(pacer, FREEZE_EVERY)
        assert dead() is None
        assert gc.get_freeze_count() > 0
    finally:
        gc.enable()


def test_a_cycle_frozen_alive_is_freed_by_the_next_sweep_and_not_before(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gcpace, "SWEEP_EVERY", 3)
    pacer = GcPacer()
    gc.disable()
    try:
        holder = [_Node()]
        holder[0].other = _Node()
        holder[0].other.other = holder[0]
        frozen = weakref.ref(holder[0])
        _finish(pacer, FREEZE_EVERY)  # first freeze: the cycle is alive and frozen
        holder.clear()  # now it is garbage, but frozen
        _finish(pacer, FREEZE_EVERY)  # second freeze: frozen objects are not looked at
        assert frozen() is not None
        _finish(pacer, FREEZE_EVERY)  # third freeze is a sweep
        assert frozen() is None
    finally:
        gc.enable()


def test_a_long_lived_block_pauses_the_collector_and_freezes_what_it_made() -> None:
    with long_lived_objects():
        assert not gc.isenabled()
        kept = [[] for _ in range(1000)]  # lists are tracked by the collector
        before = gc.get_freeze_count()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= before + len(kept)


def test_create_app_leaves_the_collector_on_and_freezes_the_app(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'app.db'}", secret_key="x", var_dir=tmp_path)
    gc.unfreeze()
    app = create_app(settings)
    assert gc.isenabled()
    assert gc.get_freeze_count() > 100_000  # the app's routes, signatures and templates
    assert app.state["settings"] is settings
    gc.disable()
    try:
        create_app(settings)
        assert not gc.isenabled(), "a caller that paused the collector finds it paused still"
    finally:
        gc.enable()


def test_the_collection_hook_turns_the_collector_back_on_where_nothing_is_collected() -> None:
    """The kit pauses the collector around ``pytest_collection`` itself: pytest-xdist's controller
    process runs that hook but collects nothing, and its collector was left off for the whole run."""
    wrapper = kit.pytest_collection(session=None)  # type: ignore[arg-type]
    next(wrapper)
    assert not gc.isenabled()
    with contextlib.suppress(StopIteration):
        next(wrapper)
    assert gc.isenabled()
