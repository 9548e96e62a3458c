"""The garbage collector paced for a long test run: what lives on is frozen, now and then swept.

A test process keeps a large heap alive from test to test: the built apps
(:mod:`core.testing.apps`), their routes and templates, the compiled statements, the plugin
hosts, the imported test modules — about a million and a half objects. Python's collector
walks all of them in each full collection, and a full collection comes every dozen tests
or so (whenever the objects that survived since the last one reach a quarter of the old
ones): 0.4 s each, about a tenth of a test process's CPU (measured on the grants, council
and cases tests: 8.8 s of 104 s).

:class:`GcPacer` (the test kit calls it; see :mod:`core.testing.plugin`):

- pauses the collector while the tests are collected (imports make long-lived objects and
  little garbage), then freezes what collection made: :func:`core.long_lived.long_lived_objects`;
- after every :data:`FREEZE_EVERY` tests, collects and freezes what is left: frozen objects
  are left out of every later collection, so each collection walks only what the last few
  tests made;
- every :data:`SWEEP_EVERY` freezes, unfreezes everything and collects once: an object that
  was alive when frozen and later became unreachable in a cycle is freed there, so such
  leftovers are bounded by what a few hundred tests leave.

``core.app.create_app`` builds the app in :func:`core.long_lived.long_lived_objects` too (a server's start-up).
"""

from __future__ import annotations

import gc

__all__ = ("FREEZE_EVERY", "SWEEP_EVERY", "GcPacer")

FREEZE_EVERY = 10  # tests between two freezes
SWEEP_EVERY = 30  # freezes between two full sweeps (unfreeze, collect everything)


class GcPacer:
    """Collects and freezes every few tests; sweeps now and then."""

    def __init__(self) -> None:
        self.tests = 0
        self.freezes = 0

    def test_done(self) -> None:
        self.tests += 1
        if self.tests % FREEZE_EVERY:
            return
        self.freezes += 1
        if self.freezes % SWEEP_EVERY == 0:
            gc.unfreeze()
        gc.collect()
        gc.freeze()
