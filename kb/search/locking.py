"""Waiting for an on-disk index's single writer lock, shared by Whoosh and tantivy."""

import random
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def open_with_backoff(
    open_writer: Callable[[], T], is_locked: Callable[[Exception], bool], timeout: float
) -> T:
    """``open_writer()``, retried with jittered exponential back-off while another process
    holds the lock; after ``timeout`` seconds the lock error is raised."""
    deadline = time.monotonic() + timeout
    delay = 0.01
    while True:
        try:
            return open_writer()
        except Exception as error:
            if not is_locked(error) or time.monotonic() > deadline:
                raise
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.5)
