"""CPU time of a block in this thread, without the garbage collector's pauses.

Seed tests bound the CPU their seeding takes (``time.thread_time``: no other process or
thread inflates it). A full collection triggered inside the block by garbage that earlier
tests of a long-lived xdist worker left behind was charged to it: a money seed that takes
within its 1.5 s bound alone was once measured at 5.5 s. :func:`thread_cpu` collects first and pauses the
collector during the block.
"""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ("CpuTime", "thread_cpu")


@dataclass
class CpuTime:
    """The block's CPU seconds in this thread (set when the block ends)."""

    seconds: float = 0.0


@contextmanager
def thread_cpu() -> Iterator[CpuTime]:
    """``with thread_cpu() as cpu: …`` then ``cpu.seconds``: this thread's CPU time in the block, GC paused."""
    measured = CpuTime()
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    started = time.thread_time()
    try:
        yield measured
    finally:
        measured.seconds = time.thread_time() - started
        if enabled:
            gc.enable()
