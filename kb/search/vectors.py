"""Sentence vectors of questions and experience posts, and the nearest ones to a vector.

The ``PostVector`` table is the truth for every process and host: ``sync(ids)`` runs on the
after-commit path, ``rebuild()`` from ``rebuild_index``, ``drift()`` for ``check_index``.
On PostgreSQL with pgvector the database searches them (kb/search/pgvectors.py). Elsewhere
each process keeps the vectors in memory (one float32 matrix) and, before every query,
reads only the rows written since its last look: upserts replace rows, tombstones (NULL
vectors) remove them. Brute force: a matrix product over 100k x 384 floats takes a few ms.

Everything here is a no-op, or empty, while ``settings.SEMANTIC_SEARCH`` is off.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from kb.models import Post, PostVector
from kb.search import pgvectors
from kb.search.documents import plain_text

KINDS = (PostVector.Kind.QUESTION.value, PostVector.Kind.EXPERIENCE.value)
CHUNK = 256  # posts read, encoded and written at a time by rebuild, sync and drift
# A row becomes visible when its transaction commits, a little after its updated_at: readers
# look this far back until no write has been seen for as long.
SAFETY_MARGIN = timedelta(seconds=10)
_DTYPE = np.dtype("<f4")
_KIND_CODES = {kind: code for code, kind in enumerate(KINDS)}
_DEAD = -1


def enabled() -> bool:
    return bool(getattr(settings, "SEMANTIC_SEARCH", False))


def posts_to_embed():
    """The posts that get a vector: visible questions and experience posts."""
    return Post.objects.visible().filter(kind__in=KINDS)


# --- writing ------------------------------------------------------------------------------


def sync(post_ids: Iterable[int]) -> None:
    """Bring these posts' vectors up to date: encode changed text, tombstone deleted posts.

    Answers are ignored. A constant number of queries and one encode batch per CHUNK ids.
    """
    if not enabled():
        return
    ids = sorted({int(pk) for pk in post_ids if pk is not None})
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        posts = _post_rows(posts_to_embed().filter(pk__in=chunk))
        _write(posts, _vector_rows(PostVector.objects.filter(pk__in=chunk)))


def rebuild(progress: Callable[[int], None] | None = None, *, threads: int | None = None) -> int:
    """Vectors for every visible question and experience post; returns how many.

    A vector whose text (and model) is unchanged is kept, so a second rebuild encodes nothing;
    rows of posts gone or deleted become tombstones.
    """
    if not enabled():
        return 0
    count = 0
    for posts, existing in _chunks():
        _write(posts, existing, _encoder(threads))
        count += len(posts)
        if progress is not None:
            progress(len(posts))
    return count


def drift() -> dict[str, list[int]]:
    """Post ids whose vector is missing, stale (text or model changed) or extra (post gone)."""
    found: dict[str, list[int]] = {"missing": [], "stale": [], "extra": []}
    if not enabled():
        return found
    model_id = _encoder().model_id
    for posts, existing in _chunks():
        for pk, _kind, text in _texts(posts):
            checksum = existing.get(pk, ("", ""))[0]
            if not checksum:
                found["missing"].append(pk)
            elif checksum != _checksum(model_id, text):
                found["stale"].append(pk)
        shown = {row[0] for row in posts}
        found["extra"].extend(
            pk for pk, (checksum, _) in existing.items() if checksum and pk not in shown
        )
    return found


def outdated() -> bool:
    """A cheap look for ``rebuild_index --if-missing``: vectors missing, left for gone posts,
    or made by another model (one row is checked: a new model changes every checksum).

    A text edit whose sync failed is not seen here; ``drift()`` reads every post and sees it.
    """
    if not enabled():
        return False
    live = PostVector.objects.exclude(checksum="")
    if posts_to_embed().filter(~Exists(live.filter(pk=OuterRef("pk")))).exists():
        return True
    if live.filter(~Exists(posts_to_embed().filter(pk=OuterRef("pk")))).exists():
        return True
    sample = live.order_by("-pk").values_list("pk", "checksum").first()
    if sample is None:
        return False
    posts = _post_rows(Post.objects.filter(pk=sample[0]))
    _pk, _kind, text = next(_texts(posts))
    return _checksum(_encoder().model_id, text) != sample[1]


def _chunks() -> Iterator[tuple[list[tuple], dict[int, tuple[str, str]]]]:
    """(posts, vector rows) per range of ids, in id order: every post and every row once."""
    last_id = 0
    while True:
        posts = _post_rows(posts_to_embed().filter(pk__gt=last_id).order_by("pk"), CHUNK)
        rows = PostVector.objects.filter(pk__gt=last_id)
        if len(posts) == CHUNK:
            rows = rows.filter(pk__lte=posts[-1][0])
        yield posts, _vector_rows(rows)
        if len(posts) < CHUNK:
            return
        last_id = posts[-1][0]


def _post_rows(posts, limit: int | None = None) -> list[tuple]:
    return list(posts.values_list("pk", "kind", "title", "body_html")[:limit])


def _vector_rows(rows) -> dict[int, tuple[str, str]]:
    """post id -> (checksum, kind); a tombstone's checksum is empty."""
    return {
        pk: (checksum, kind) for pk, checksum, kind in rows.values_list("pk", "checksum", "kind")
    }


def _texts(posts: list[tuple]) -> Iterator[tuple[int, str, str]]:
    from kb.search.embeddings import embedding_text

    for pk, kind, title, body_html in posts:
        yield pk, kind, embedding_text(title, plain_text(body_html))


def _write(posts: list[tuple], existing: dict[int, tuple[str, str]], encoder=None) -> None:
    """Encode the posts whose checksum changed; tombstone rows whose post is not in ``posts``."""
    encoder = encoder or _encoder()
    changed = []
    for pk, kind, text in _texts(posts):
        checksum = _checksum(encoder.model_id, text)
        if existing.get(pk, ("", ""))[0] != checksum:
            changed.append((pk, kind, text, checksum))
    shown = {row[0] for row in posts}
    gone = [(pk, kind) for pk, (checksum, kind) in existing.items() if checksum and pk not in shown]
    if not changed and not gone:
        return
    vectors = encoder.encode([text for _, _, text, _ in changed]) if changed else []
    stamp = _database_now()
    rows = [
        PostVector(
            post_id=pk, kind=kind, vector=_to_bytes(vector), checksum=checksum, updated_at=stamp
        )
        for (pk, kind, _, checksum), vector in zip(changed, vectors, strict=True)
    ]
    rows += [
        PostVector(post_id=pk, kind=kind, vector=None, checksum="", updated_at=stamp)
        for pk, kind in gone
    ]
    PostVector.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["post"],
        update_fields=["kind", "vector", "checksum", "updated_at"],
    )


def _encoder(threads: int | None = None):
    from kb.search.embeddings import get_encoder

    return get_encoder(threads)


def _checksum(model_id: str, text: str) -> str:
    return hashlib.blake2b(f"{model_id}\n{text}".encode(), digest_size=16).hexdigest()


def _to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=_DTYPE).tobytes()


def _database_now() -> datetime:
    """The database's clock on PostgreSQL, where web hosts' clocks may disagree."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT clock_timestamp()")
            return cursor.fetchone()[0]
    return timezone.now()


# --- reading ------------------------------------------------------------------------------


class VectorIndex:
    """One process's copy of the vectors: a float32 matrix with each row's post id and kind.

    Rows of removed posts are marked dead (kind -1) and dropped when enough have piled up.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._matrix = np.empty((0, 0), dtype=np.float32)
        self._ids = np.empty(0, dtype=np.int64)
        self._kinds = np.empty(0, dtype=np.int8)
        self._rows: dict[int, int] = {}  # post id -> row of the matrix
        self._size = 0  # rows in use, live or dead
        self._last_seen: datetime | None = None  # newest updated_at read
        self._seen_changed_at = 0.0  # time.monotonic() of the read that moved _last_seen
        self._settled = False  # every write up to _last_seen is known to have been read
        self._frozen = False  # made from given vectors: never reads the table

    @classmethod
    def of(cls, ids: Sequence[int], kinds: Sequence[str], matrix: np.ndarray) -> VectorIndex:
        """An index of these vectors alone, never refreshed from the table (benchmarks)."""
        index = cls()
        index._frozen = True
        for pk, kind, vector in zip(ids, kinds, np.asarray(matrix, dtype=_DTYPE), strict=True):
            index._put(int(pk), kind, vector)
        return index

    def __len__(self) -> int:
        return len(self._rows)

    def refresh(self) -> int:
        """Read the rows written since the last look (all of them the first time): how many."""
        with self._lock:
            return self._refresh()

    def nearest(
        self,
        vector: np.ndarray,
        k: int,
        kinds: Sequence[str] = KINDS,
        exclude_ids: Iterable[int] = (),
    ) -> list[tuple[int, float]]:
        """The ``k`` posts of these kinds closest to ``vector``: (post id, cosine), best first."""
        if k <= 0:
            return []
        query = _unit(vector)
        with self._lock:
            self._refresh()
            if not self._size:
                return []
            scores = self._matrix[: self._size] @ query
            wanted = [_KIND_CODES[kind] for kind in kinds if kind in _KIND_CODES]
            scores[~np.isin(self._kinds[: self._size], wanted)] = -np.inf
            excluded = [self._rows[pk] for pk in exclude_ids if pk in self._rows]
            scores[excluded] = -np.inf
            ids = self._ids[: self._size]
            return _best(scores, ids, k)

    def vector_of(self, post_id: int) -> np.ndarray | None:
        with self._lock:
            self._refresh()
            row = self._rows.get(post_id)
            return None if row is None else self._matrix[row].copy()

    def _refresh(self) -> int:
        if self._frozen:
            return 0
        started = time.monotonic()
        rows = PostVector.objects.order_by()
        if self._last_seen is not None:
            if self._settled:
                rows = rows.filter(updated_at__gt=self._last_seen)
            else:
                rows = rows.filter(updated_at__gte=self._last_seen - SAFETY_MARGIN)
        read, newest = self._apply(
            rows.values_list("pk", "kind", "vector", "updated_at").iterator(2000)
        )
        if newest is not None and (self._last_seen is None or newest > self._last_seen):
            self._last_seen, self._seen_changed_at, self._settled = newest, started, False
        elif started - self._seen_changed_at >= SAFETY_MARGIN.total_seconds():
            # This read began a margin after the newest write seen: every write stamped
            # before it had committed, so this read saw it, and later reads need not look back.
            self._settled = True
        return read

    def _apply(self, rows) -> tuple[int, datetime | None]:
        read, newest = 0, None
        for pk, kind, vector, updated_at in rows:
            read += 1
            newest = updated_at if newest is None else max(newest, updated_at)
            if vector is None:
                self._remove(pk)
            else:
                self._put(pk, kind, np.frombuffer(vector, dtype=_DTYPE))
        self._compact_if_sparse()
        return read, newest

    def _put(self, pk: int, kind: str, vector: np.ndarray) -> None:
        row = self._rows.get(pk)
        if row is None:
            self._grow(vector.shape[0])
            row = self._size
            self._size += 1
            self._rows[pk] = row
            self._ids[row] = pk
        self._matrix[row] = vector
        self._kinds[row] = _KIND_CODES.get(kind, _DEAD)

    def _remove(self, pk: int) -> None:
        row = self._rows.pop(pk, None)
        if row is not None:
            self._kinds[row] = _DEAD

    def _grow(self, dimensions: int) -> None:
        if self._size < len(self._ids):
            return
        capacity = max(1024, 2 * len(self._ids))
        matrix = np.zeros((capacity, dimensions), dtype=np.float32)
        if self._size:
            matrix[: self._size] = self._matrix[: self._size]
        self._matrix = matrix
        self._ids = np.resize(self._ids, capacity)
        self._kinds = np.resize(self._kinds, capacity)

    def _compact_if_sparse(self) -> None:
        dead = self._size - len(self._rows)
        if dead < 1024 or dead < self._size // 8:
            return
        live = np.flatnonzero(self._kinds[: self._size] != _DEAD)
        self._matrix = self._matrix[live]
        self._ids = self._ids[live]
        self._kinds = self._kinds[live]
        self._size = len(live)
        self._rows = {int(pk): row for row, pk in enumerate(self._ids)}


def _unit(vector: np.ndarray) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def _best(scores: np.ndarray, ids: np.ndarray, k: int) -> list[tuple[int, float]]:
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(ids[row]), float(scores[row])) for row in top if scores[row] != -np.inf]


_index = VectorIndex()
_pinned: VectorIndex | None = None  # use_index's: searched even where pgvector is


def get_index() -> VectorIndex:
    """This process's index."""
    return _index


def reset() -> None:
    """Forget this process's index (tests: a rolled-back transaction leaves no tombstone)."""
    global _index
    _index = VectorIndex()


@contextlib.contextmanager
def use_index(index: VectorIndex | None):
    """Search ``index`` instead of the database's or this process's while inside; None
    changes nothing."""
    global _pinned
    if index is None:
        yield
        return
    saved, _pinned = _pinned, index
    try:
        yield
    finally:
        _pinned = saved


def _in_memory() -> VectorIndex | None:
    """The index to search, or None where pgvector searches the table."""
    if _pinned is not None:
        return _pinned
    return None if pgvectors.usable() else _index


def nearest(
    vector: np.ndarray,
    k: int,
    kinds: Sequence[str] = KINDS,
    exclude_ids: Iterable[int] = (),
) -> list[tuple[int, float]]:
    """(post id, cosine similarity) of the ``k`` nearest posts of these kinds, best first."""
    if not enabled():
        return []
    index = _in_memory()
    if index is None:
        return pgvectors.nearest(vector, k, [kind for kind in kinds if kind in KINDS], exclude_ids)
    return index.nearest(vector, k, kinds, exclude_ids)


def nearest_to_text(
    text: str,
    k: int,
    kinds: Sequence[str] = KINDS,
    exclude_ids: Iterable[int] = (),
) -> list[tuple[int, float]]:
    """The posts nearest in meaning to ``text`` (a query, a title being typed)."""
    if not enabled() or not text.strip():
        return []
    return nearest(_encoder().encode([text])[0], k, kinds, exclude_ids)


def vector_of(post_id: int) -> np.ndarray | None:
    """This post's vector, or None (an answer, deleted, or not embedded yet)."""
    if not enabled():
        return None
    index = _in_memory()
    if index is None:
        stored = PostVector.objects.filter(pk=post_id, vector__isnull=False)
        vector = stored.values_list("vector", flat=True).first()
        return None if vector is None else np.frombuffer(vector, dtype=_DTYPE).copy()
    return index.vector_of(post_id)


def nearest_to_post(
    post_id: int,
    k: int,
    kinds: Sequence[str] = KINDS,
    exclude_ids: Iterable[int] = (),
) -> list[tuple[int, float]]:
    """The posts nearest in meaning to this one, never itself."""
    vector = vector_of(post_id)
    if vector is None:
        return []
    return nearest(vector, k, kinds, [post_id, *exclude_ids])
