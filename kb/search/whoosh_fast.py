"""BM25 over Whoosh's on-disk postings, vectorised with NumPy.

Whoosh's own collector scores one posting at a time through several layers of matcher
objects (~8 µs each); a common word at 100k posts has tens of thousands of postings. Here
each posting block is decoded in one call, a term's postings become two arrays (document
numbers and weights), and BM25, intersections, filters and top-k run as array operations.
Per-segment document lengths and sort columns are loaded once and cached (segments never
change, only their deletion sets, which are read per searcher).

Document numbers are global: segment offset + the segment's own number, so every array of
them is sorted and can be intersected directly.
"""

from __future__ import annotations

import math
import sys
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3FieldWriter
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

K1 = 1.2
B = 0.75
_LENGTH_OF_BYTE = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)
NO_DOCS = np.empty(0, dtype=np.int64)
NO_SCORES = np.empty(0, dtype=np.float32)
# Decoded postings of common terms, per segment (segments never change): decoding a term
# held by most posts is most of a query's time at 100k posts. Short lists are not kept.
POSTINGS_CACHE_BYTES = 64 * 2**20
POSTINGS_CACHE_MIN = 2048


def codec() -> W3Codec:
    """Posting blocks of 1,024 instead of 128: decoding costs a third per posting."""
    return _Codec(blocklimit=1024)


class _Codec(W3Codec):
    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)


class _FieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items):
        super().add_postings(schema, lengths and _PreloadedLengths(lengths), items)


class _PreloadedLengths:
    """The document lengths writing a segment needs, each length column read once.

    Whoosh's writer looks up the document's field length for every posting, one column
    read each (a third of a rebuild's time); these come from a list read in one go.
    """

    def __init__(self, lengths):
        self._lengths = lengths
        self._columns: dict[str, list | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        if fieldname not in self._columns:
            self._columns[fieldname] = self._read(fieldname)
        column = self._columns[fieldname]
        if column is None:
            return default
        return column[docnum]  # None for a zero length byte, as Whoosh returns

    def _read(self, fieldname: str) -> list | None:
        reader = self._lengths._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        if reader is None:
            return None
        count = self._lengths.doc_count_all()
        return [_length_or_none(byte) for byte in _numbers(reader, count)]


def _length_or_none(byte: int) -> int | None:
    return byte_to_length(byte) if byte else None


@dataclass
class Matches:
    """Matching document numbers (sorted) and their scores, side by side."""

    ids: np.ndarray
    scores: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def where(self, keep: np.ndarray) -> Matches:
        return Matches(self.ids[keep], self.scores[keep])

    def only(self, allowed: np.ndarray) -> Matches:
        return self.where(np.isin(self.ids, allowed, assume_unique=True))

    def without(self, unwanted: np.ndarray) -> Matches:
        return self.where(np.isin(self.ids, unwanted, assume_unique=True, invert=True))

    @classmethod
    def unscored(cls, ids: np.ndarray) -> Matches:
        return cls(ids, np.zeros(len(ids), dtype=np.float32))


@dataclass
class Segment:
    reader: object
    offset: int
    key: str = ""


class Index:
    """One searcher's view: its segments with cached lengths and columns."""

    def __init__(self, searcher, cache: dict, column_names: Iterable[str]):
        self.searcher = searcher
        self.doc_count = max(1, searcher.doc_count_all())
        self.avg_length = max(1.0, searcher.avg_field_length("text", 1.0))
        self.segments = []
        names = list(column_names)
        lengths, live, columns = [], [], {name: [] for name in names}
        for subsearcher, offset in searcher.leaf_searchers():
            reader = subsearcher.reader()
            if not hasattr(reader, "_segment"):  # an empty index
                continue
            key = reader._segment.segment_id()
            if key not in cache:
                cache[key] = (_lengths(reader), {name: _column(reader, name) for name in names})
            segment_lengths, segment_columns = cache[key]
            self.segments.append(Segment(reader, offset, key))
            lengths.append(segment_lengths)
            live.append(_live(reader))
            for name, values in segment_columns.items():
                columns[name].append(values)
        self.lengths = np.concatenate(lengths) if lengths else NO_SCORES
        self.live = np.concatenate(live) if live else np.empty(0, dtype=bool)
        # Columns indexed by global document number (tag_list stays a list of bytes).
        self.columns = {
            name: (
                [v for part in parts for v in part]
                if name == "tag_list"
                else (np.concatenate(parts) if parts else NO_DOCS)
            )
            for name, parts in columns.items()
        }

    def all_docs(self) -> np.ndarray:
        return np.flatnonzero(self.live)

    def doc_ids(self, field: str, text) -> np.ndarray:
        return self._postings(field, text)[0]

    def _postings(self, field: str, text) -> tuple[np.ndarray, np.ndarray]:
        """Live documents holding the term, and the term's weight in each."""
        ids, weights = [], []
        for segment in self.segments:
            segment_ids, segment_weights = _postings_cache.get(segment, field, text)
            if len(segment_ids):
                ids.append(segment_ids + segment.offset)
                weights.append(segment_weights)
        if not ids:
            return NO_DOCS, NO_SCORES
        all_ids, all_weights = np.concatenate(ids), np.concatenate(weights)
        keep = self.live[all_ids]
        return all_ids[keep], all_weights[keep]

    def presence_scores(self, field: str, text: str) -> Matches:
        """Posts holding the term in a field without counts (tags, title words): its idf."""
        ids = self.doc_ids(field, text)
        if not len(ids):
            return Matches(NO_DOCS, NO_SCORES)
        idf = math.log(1 + (self.doc_count - len(ids) + 0.5) / (len(ids) + 0.5))
        return Matches(ids, np.full(len(ids), idf, dtype=np.float32))

    def scores(self, term: str) -> Matches:
        """BM25 of one term in the ``text`` field for every document holding it."""
        df = sum(s.reader.doc_frequency("text", term) for s in self.segments)
        if not df:
            return Matches(NO_DOCS, NO_SCORES)
        ids, weights = self._postings("text", term)
        idf = math.log(1 + (self.doc_count - df + 0.5) / (df + 0.5))
        norm = K1 * (1 - B) + (K1 * B / self.avg_length) * self.lengths[ids]
        return Matches(ids, (idf * (K1 + 1)) * weights / (weights + norm))


class _PostingsCache:
    """The decoded postings of the longest lists, least recently used out first."""

    def __init__(self, budget: int):
        self.budget = budget
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._bytes = 0

    def get(self, segment: Segment, field: str, text) -> tuple[np.ndarray, np.ndarray]:
        key = (segment.key, field, text)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        ids, weights = _postings(segment.reader, field, text)
        found = (np.frombuffer(ids, dtype=np.int64), np.frombuffer(weights, dtype=np.float32))
        if segment.key and len(ids) >= POSTINGS_CACHE_MIN:
            self._put(key, found)
        return found

    def _put(self, key: tuple, postings: tuple[np.ndarray, np.ndarray]) -> None:
        size = postings[0].nbytes + postings[1].nbytes
        with self._lock:
            if key in self._entries or size > self.budget:
                return
            self._entries[key] = postings
            self._bytes += size
            while self._bytes > self.budget:
                _, (ids, weights) = self._entries.popitem(last=False)
                self._bytes -= ids.nbytes + weights.nbytes


_postings_cache = _PostingsCache(POSTINGS_CACHE_BYTES)


def _postings(reader, field: str, text) -> tuple[array, array]:
    """A segment's postings of one term: document numbers (int64) and weights (float32)."""
    ids, weights = array("q"), array("f")
    try:
        btext = reader._text_to_bytes(field, text)
        matcher = reader._terms.matcher(field, btext, reader.schema[field].format)
    except (TermNotFound, KeyError):
        return ids, weights
    if hasattr(matcher, "_read_data"):
        # Read each block's data tuple directly: ids are delta-coded from 0 in each block,
        # weights are None (all 1), one float (all equal) or one per posting.
        while matcher.is_active():
            if matcher._data is None:
                matcher._read_data()
            block_ids, block_weights, _ = matcher._data
            ids.extend(accumulate(block_ids))
            if block_weights is None or isinstance(block_weights, float):
                weights.extend([block_weights or 1.0] * len(block_ids))
            else:
                weights.extend(block_weights)
            matcher._next_block()
    else:  # short posting lists are stored inline as a ListMatcher
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    return ids, weights


def _live(reader) -> np.ndarray:
    live = np.ones(reader.doc_count_all(), dtype=bool)
    deleted = list(reader.deleted_docs_set)
    if deleted:
        live[deleted] = False
    return live


def _lengths(reader) -> np.ndarray:
    count = reader.doc_count_all()
    column = reader._perdoc._cached_reader("_text_len", LENGTHS_COLUMN)
    if column is None:
        return np.zeros(count, dtype=np.float32)
    return _LENGTH_OF_BYTE[np.array(_numbers(column, count), dtype=np.uint8)]


def _column(reader, name: str):
    count = reader.doc_count_all()
    if name == "tag_list":
        if not reader.has_column(name):
            return [b""] * count
        column = reader.column_reader(name, translate=False)
        return [column[d] for d in range(count)]
    if not reader.has_column(name):
        return np.zeros(count, dtype=np.int64)
    return np.array(_numbers(reader.column_reader(name, translate=False), count), dtype=np.int64)


def _numbers(column, count: int) -> list:
    """A whole numeric column in one read (values are big-endian, trailing defaults omitted)."""
    try:
        stored = min(column._count, count)
        raw = column._dbfile.get(column._basepos, stored * column._fixedlen)
        values = array(column._typecode, raw)
    except AttributeError:  # another column type: the slow, general way
        return [column[d] for d in range(count)]
    if sys.byteorder == "little":
        values.byteswap()
    return values.tolist() + [column._default] * (count - stored)


def intersect(matches: list[Matches]) -> Matches:
    """Documents in every one, their scores summed; starts from the smallest."""
    if not matches:
        return Matches(NO_DOCS, NO_SCORES)
    ordered = sorted(matches, key=len)
    result = ordered[0]
    for other in ordered[1:]:
        ids, mine, theirs = np.intersect1d(
            result.ids, other.ids, assume_unique=True, return_indices=True
        )
        result = Matches(ids, result.scores[mine] + other.scores[theirs])
        if not len(result):
            break
    return result


def top(primary: np.ndarray, secondary: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` largest by (primary, secondary), best first."""
    if len(primary) > k:
        threshold = np.partition(primary, len(primary) - k)[len(primary) - k]
        candidates = np.flatnonzero(primary >= threshold)  # ties at the threshold included
    else:
        candidates = np.arange(len(primary))
    order = np.lexsort((-secondary[candidates], -primary[candidates]))
    return candidates[order[:k]]
