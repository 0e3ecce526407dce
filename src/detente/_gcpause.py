"""``gc_paused``: no cyclic garbage collection while bulk data is built.

Building a list index or a look-back index allocates hundreds of thousands of small objects
that all stay alive; every time the allocation count crosses the collector's threshold it walks
them again, in vain (loading every shared list spent a quarter of its CPU time there).  Inside
the block the collector does not run; reference counting still frees everything as usual, and
the collector runs again, as configured, after the block.  Nested blocks are fine: the block
that found the collector enabled is the one that enables it again.  The switch is per process,
not per thread: while one thread builds an index (a list update in the web app, say), other
threads run without the collector too, so cyclic garbage they make waits until the block ends
(memory, never correctness); and if two threads' blocks overlap, the first to have disabled it
re-enables it when it ends, which only costs the other block speed.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def without_gc(fn: Callable[P, R]) -> Callable[P, R]:
    """Run *fn* inside :func:`gc_paused`."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with gc_paused():
            return fn(*args, **kwargs)

    return wrapper
