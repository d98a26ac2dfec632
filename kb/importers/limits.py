"""Bounds on the work one import may ask for, from settings (``KB_IMPORT_*``).

Generous for real files (a Reddit thread nests a few dozen levels and holds a few hundred
comments; Reddit caps a post at 40,000 characters and Stack Exchange at 30,000), tight
enough that a crafted file cannot hold a worker for long.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class ImportLimits:
    upload_bytes: int  # the staff import page's file
    depth: int  # JSON nesting levels in a Reddit file
    items: int  # answers and comments in one Reddit thread
    text_chars: int  # one title, body or comment, in characters


def import_limits() -> ImportLimits:
    return ImportLimits(
        upload_bytes=settings.IMPORT_MAX_UPLOAD_BYTES,
        depth=settings.IMPORT_MAX_DEPTH,
        items=settings.IMPORT_MAX_ITEMS,
        text_chars=settings.IMPORT_MAX_TEXT_CHARS,
    )
