"""BM25 over Whoosh's on-disk postings, read a block at a time.

Whoosh's own collector scores one posting at a time through several layers of matcher
objects (~8 µs each); a common word at 100k posts has tens of thousands of postings. Here
each posting block is decoded in one call and scored in a list comprehension, with the
per-segment document lengths and sort columns loaded once and cached (segments never
change, only their deletion sets). Filters and exclusions are sets of document numbers.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

K1 = 1.2
B = 0.75
_LENGTH_OF_BYTE = [byte_to_length(i) for i in range(256)]


@dataclass
class Segment:
    reader: object
    offset: int
    lengths: list[float]


class Index:
    """One searcher's view: its segments with cached lengths and columns."""

    def __init__(self, searcher, cache: dict, column_names: Iterable[str]):
        self.searcher = searcher
        self.doc_count = max(1, searcher.doc_count_all())
        self.avg_length = max(1.0, searcher.avg_field_length("text", 1.0))
        self.segments = []
        # Columns indexed by global document number: segments are numbered one after another.
        self.columns: dict[str, list] = {name: [] for name in column_names}
        for subsearcher, offset in searcher.leaf_searchers():
            reader = subsearcher.reader()
            if not hasattr(reader, "_segment"):  # an empty index
                continue
            key = reader._segment.segment_id()
            if key not in cache:
                cache[key] = (_lengths(reader), {n: _column(reader, n) for n in self.columns})
            lengths, columns = cache[key]
            self.segments.append(Segment(reader, offset, lengths))
            for name, values in columns.items():
                self.columns[name].extend(values)

    def all_docs(self) -> set[int]:
        docs = set()
        for segment in self.segments:
            deleted = segment.reader.deleted_docs_set
            docs.update(
                segment.offset + d
                for d in range(segment.reader.doc_count_all())
                if d not in deleted
            )
        return docs

    def doc_ids(self, field: str, text) -> set[int]:
        docs = set()
        for segment in self.segments:
            ids, _ = _postings(segment.reader, field, text)
            deleted = segment.reader.deleted_docs_set
            offset = segment.offset
            docs.update(offset + d for d in ids if d not in deleted)
        return docs

    def scores(self, term: str) -> dict[int, float]:
        """BM25 of one term in the ``text`` field for every document holding it."""
        df = sum(s.reader.doc_frequency("text", term) for s in self.segments)
        if not df:
            return {}
        idf = math.log(1 + (self.doc_count - df + 0.5) / (df + 0.5))
        boost = idf * (K1 + 1)
        base = K1 * (1 - B)
        per_length = K1 * B / self.avg_length
        scored: dict[int, float] = {}
        for segment in self.segments:
            ids, weights = _postings(segment.reader, "text", term)
            if not ids:
                continue
            lengths = segment.lengths
            offset = segment.offset
            deleted = segment.reader.deleted_docs_set
            scored.update(
                (offset + d, boost * w / (w + base + per_length * lengths[d]))
                for d, w in zip(ids, weights, strict=False)
                if d not in deleted
            )
        return scored


def _postings(reader, field: str, text) -> tuple[list[int], list[float]]:
    try:
        btext = reader._text_to_bytes(field, text)
        matcher = reader._terms.matcher(field, btext, reader.schema[field].format)
    except (TermNotFound, KeyError):
        return [], []
    ids: list[int] = []
    weights: list[float] = []
    if hasattr(matcher, "_read_ids"):
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            matcher._next_block()
    else:  # short posting lists are stored inline as a ListMatcher
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    return ids, weights


def _lengths(reader) -> list[float]:
    count = reader.doc_count_all()
    column = reader._perdoc._cached_reader("_text_len", LENGTHS_COLUMN)
    if column is None:
        return [0.0] * count
    return [_LENGTH_OF_BYTE[b] for b in _numbers(column, count, 0)]


def _column(reader, name: str) -> list:
    count = reader.doc_count_all()
    if not reader.has_column(name):
        return [b""] * count if name == "tag_list" else [0] * count
    return _numbers(reader.column_reader(name, translate=False), count, 0)


def _numbers(column, count: int, default) -> list:
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


def intersect(score_maps: list[dict[int, float]]) -> dict[int, float]:
    """Documents in every map, their scores summed; starts from the smallest map."""
    if not score_maps:
        return {}
    ordered = sorted(score_maps, key=len)
    result = dict(ordered[0])
    for other in ordered[1:]:
        result = {d: s + other[d] for d, s in result.items() if d in other}
        if not result:
            break
    return result
