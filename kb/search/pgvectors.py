"""The nearest posts by pgvector, for kb/search/vectors.py on PostgreSQL.

Used where migration 0007 could give ``kb_postvector`` its ``embedding`` column (pgvector
installed when it ran) and pgvector is 0.8 or newer. The column is generated from
``vector``, so the table stays the one truth and no process keeps a copy in memory.

An HNSW index answers: measured at 100k vectors, an exact scan takes tens of ms, the index a
few. ``ef_search`` is raised over pgvector's 40 for recall, and iterative scans keep
reading the index while filters (kinds, excluded ids) drop candidates, so ``k`` still fill.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from django.db import connection, transaction

MIN_VERSION = (0, 8)  # iterative index scans
EF_SEARCH = 200  # candidates the index walk keeps; at least k
MAX_EF_SEARCH = 1000  # pgvector's ceiling

_usable: dict[str, bool] = {}  # per database name: tests switch to a test database

NEAREST = """
SELECT post_id, 1 - (embedding <=> %(query)s::vector) FROM kb_postvector
WHERE embedding IS NOT NULL AND kind = ANY(%(kinds)s::text[])
  AND post_id <> ALL(%(exclude)s::bigint[])
ORDER BY embedding <=> %(query)s::vector LIMIT %(k)s
"""
PROBE = """
SELECT extversion FROM pg_extension WHERE extname = 'vector' AND EXISTS (
  SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('kb_postvector')
  AND attname = 'embedding' AND NOT attisdropped)
"""


def usable() -> bool:
    """Whether this database searches the vectors itself (asked once per process)."""
    if connection.vendor != "postgresql":
        return False
    name = connection.settings_dict["NAME"]
    if name not in _usable:
        _usable[name] = _probe()
    return _usable[name]


def forget() -> None:
    """Ask the database again next time (tests: the extension dropped or restored)."""
    _usable.clear()


def _probe() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(PROBE)
        row = cursor.fetchone()
    return row is not None and _version(row[0]) >= MIN_VERSION


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


def nearest(
    vector: np.ndarray, k: int, kinds: Sequence[str], exclude_ids: Iterable[int]
) -> list[tuple[int, float]]:
    """The ``k`` live posts of these kinds closest to ``vector``: (post id, cosine), best first."""
    if k <= 0:
        return []
    params = {
        "query": _literal(vector),
        "kinds": list(kinds),
        "exclude": [int(pk) for pk in exclude_ids],
        "k": k,
    }
    ef_search = min(MAX_EF_SEARCH, max(EF_SEARCH, k))
    # SET LOCAL needs a transaction; inside a request's own it lasts until that one ends.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SET LOCAL hnsw.ef_search = {ef_search}; SET LOCAL hnsw.iterative_scan = strict_order"
        )
        cursor.execute(NEAREST, params)
        return [(int(pk), float(cosine)) for pk, cosine in cursor.fetchall()]


def _literal(vector: np.ndarray) -> str:
    """pgvector's text form; 9 significant digits give back every float32 exactly."""
    values = np.asarray(vector, dtype=np.float32).reshape(-1)
    return "[" + ",".join(f"{value:.9g}" for value in values.tolist()) + "]"
