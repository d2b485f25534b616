"""What a server process loads once and keeps (its cassettes) kept out of the cyclic GC's work.

A full collection walks every tracked object. With 100,000 recorded interactions (1.75 million
objects) one pass takes about 0.4 s: loading them ran about twenty passes, and the first pass
after the start paused the answering server for over a second. Loading with the collector
paused, then `gc.freeze()`, moves what was loaded out of its sight: reference counting still
frees any of it that is dropped, and whatever is allocated afterwards is collected as before.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def loaded_for_good() -> Iterator[None]:
    """Build what lives as long as the process with the collector paused; freeze it after.

    For a process that is the server (the command line): a test process embedding one keeps its
    own collector as it is.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
