"""Short garbage collections in a long-running hub.

Python's full collection walks every container object that survived the younger ones, and a started hub holds a
large, permanent heap (the catalog with its validators, the protocol stubs, the web framework). A request that
allocates a lot, such as a write of thousands of unknown paths, then triggers full collections that each walked
all of it: pauses of 85 to 180 ms on the event loop, measured. Moving the heap built at start out of the
collector's sight (`gc.freeze`) leaves full collections only the objects made since, a few milliseconds.
"""

from __future__ import annotations

import gc


def settle_heap() -> None:
    """Collect what start-up left over, then exempt the surviving (long-lived) objects from future collections.
    Call once, after the hub has started; objects freed later by reference counting are still freed."""
    gc.collect()
    gc.freeze()
