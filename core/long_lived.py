"""Building what lives as long as the process, with the garbage collector out of the way.

An app (about half a million objects: routes, their signatures, templates) or a test run's
imported modules are made once and kept: the collector would walk them over and over while
they are made, and again in every full collection after. :func:`long_lived_objects` pauses
the collector for the block, then freezes (``gc.freeze``) everything alive at its end, so
later collections leave it out. The little garbage the block made stays frozen too.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ("long_lived_objects",)


@contextmanager
def long_lived_objects() -> Iterator[None]:
    """Pause the collector in the block (a caller that had paused it finds it paused), then freeze what is alive."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.freeze()
