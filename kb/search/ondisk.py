"""What the on-disk engines (Whoosh and tantivy) share: waiting for the index's single
writer lock, and building a new index beside the live one before swapping it in."""

import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path
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


def building_directory(path: Path) -> Path:
    """An empty directory beside ``path``: a rebuild writes there while ``path`` serves."""
    building = path.with_name(path.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    return building


def swap_in(building: Path, path: Path) -> None:
    """Put the index built in ``building`` at ``path``, removing the one that was there."""
    old = path.with_name(path.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if path.exists():
        path.rename(old)
    building.rename(path)
    shutil.rmtree(old, ignore_errors=True)
