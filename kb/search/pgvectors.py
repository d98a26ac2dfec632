"""The nearest posts by pgvector, for kb/search/vectors.py on PostgreSQL.

Used where migration 0007 could give ``kb_postvector`` its ``embedding`` column (generated
from ``vector``: the table stays the one truth), an HNSW index and ``kb_nearest_posts()``,
which needs pgvector 0.8 or newer. No process then keeps the vectors in memory.

HNSW, not an exact scan: at 100k vectors an exact scan took 200-470 ms here, the index (with
ef_search 200) 15-30 ms, finding every neighbour of topical queries (cosine 0.3 or more).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from django.db import connection

_usable: dict[str, bool] = {}  # per database name: tests switch to a test database

NEAREST = "SELECT post_id, cosine FROM kb_nearest_posts(%s::vector, %s::text[], %s::bigint[], %s)"
PROBE = "SELECT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'kb_nearest_posts')"


def usable() -> bool:
    """Whether this database searches the vectors itself (asked once per process)."""
    if connection.vendor != "postgresql":
        return False
    name = connection.settings_dict["NAME"]
    if name not in _usable:
        with connection.cursor() as cursor:
            cursor.execute(PROBE)
            _usable[name] = cursor.fetchone()[0]
    return _usable[name]


def forget() -> None:
    """Ask the database again next time (the extension dropped or installed since)."""
    _usable.clear()


def nearest(
    vector: np.ndarray, k: int, kinds: Sequence[str], exclude_ids: Iterable[int]
) -> list[tuple[int, float]]:
    """The ``k`` live posts of these kinds closest to ``vector``: (post id, cosine), best first."""
    if k <= 0:
        return []
    exclude = [int(pk) for pk in exclude_ids]
    with connection.cursor() as cursor:
        cursor.execute(NEAREST, [_literal(vector), list(kinds), exclude, k])
        return [(int(pk), float(cosine)) for pk, cosine in cursor.fetchall()]


def _literal(vector: np.ndarray) -> str:
    """pgvector's text form; 9 significant digits give back every float32 exactly."""
    values = np.asarray(vector, dtype=np.float32).reshape(-1)
    return "[" + ",".join(f"{value:.9g}" for value in values.tolist()) + "]"
