"""Whoosh engine: an index on disk, BM25F, title boosted, fast enough at 100k posts.

Speed choices (Whoosh is pure Python):
- Text is stemmed once in Python (kb.search.text, cached) and indexed as ready terms, so
  indexing skips Whoosh's per-token analyzer chain.
- No positions (they double the index and the build time). A phrase narrows first to the
  documents holding all its words (a cheap intersection), then the best-ranked candidates
  are verified on the stored text; the total is exact when all candidates fit in the
  verified sample, else estimated from it (and shown as "about N").
- Postings are read a block (1,024 postings) at a time and scored, intersected, filtered
  and ranked as NumPy arrays (kb.search.whoosh_fast), not one posting at a time.
- Facets and the "words next to each other rank higher" bonus come from the same sample
  of the best results, read once.
- One searcher per process, refreshed when another process commits.
- Whoosh allows one writer at a time: writers retry ``LockError`` with jittered back-off.
  An update writes one small segment; small segments are merged by a background thread.
"""

from __future__ import annotations

import fcntl
import heapq
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from whoosh import columns, fields, index
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.index import LockError
from whoosh.reading import SegmentReader
from whoosh.scoring import BM25F
from whoosh.system import pack_uint

from kb.search import EngineResult, SearchBackend, whoosh_fast
from kb.search.documents import SearchDocument, document_from_row
from kb.search.ondisk import building_directory, open_with_backoff, swap_in
from kb.search.query import ParsedQuery
from kb.search.text import STOP_WORDS, one_edit_away, phrase_pattern, stem, stem_counts, words_of

logger = logging.getLogger("kb.search")

# The title's words are indexed this many times: one field with block-max skipping is
# several times faster in Whoosh than a boosted title field OR-ed with a body field.
TITLE_REPEAT = 3
PROXIMITY_BONUS = 0.5  # share of the score added when the words stand together
VERIFY_SAMPLE = 200  # phrase candidates verified on the stored text
MERGE_FACTOR = 8  # this many segments of one size tier are merged into one
MERGE_IDLE_SECONDS = 1.0  # a background merge waits for this long without writes
MERGE_MAX_DELAY = 30.0  # ... but no longer than this during a long burst of writes
RERANK_EXTRA = 20  # candidates beyond the page that the proximity bonus may lift into it
WRITE_TIMEOUT = 60.0
FACET_SAMPLE = 100
# Rebuilds split the documents over this many processes (each writes its own segment).
REBUILD_PROCESSES = max(1, min(4, os.cpu_count() or 1))
KIND_CODES = {"question": 1, "answer": 2, "experience": 3}
COLUMNS = ("kind", "score", "answers", "accepted", "created", "tag_list")
MLT_TERMS = 8
COMPLETE = 10_000.0  # added to the score of a post with every typed word: it ranks first
# Bonuses in units of the word's idf; BM25 gives a word at most 2.2 idf (K1 + 1), so a
# title naming the word beats a body repeating it.
TITLE_WEIGHT = 1.5
TAG_WEIGHT = 1.5  # a tag the query's words name


class CountedText(fields.TEXT):
    """A text field fed its stems already counted (a ``Counter``), not a string.

    Whoosh's own path runs its tokenizer and counts the tokens one by one in Python; here
    the counting happens in C (``Counter``): about 7% off a full rebuild.
    Weights and lengths come out as Whoosh's Frequency format makes them.
    """

    def index(self, value, **kwargs):
        boost = self.format.field_boost
        return [
            (term.encode("utf-8"), count, count * boost, pack_uint(count))
            for term, count in value.items()
        ]


def _schema() -> fields.Schema:
    terms = SpaceSeparatedTokenizer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        text=CountedText(analyzer=terms, phrase=False),
        spell=fields.KEYWORD(scorable=False),
        title=fields.KEYWORD(scorable=False),  # the title's stems: a title match bonus
        tags=fields.KEYWORD,
        author=fields.ID,
        # Filters and sorts read columns (one value per document), not postings.
        kind=fields.COLUMN(columns.NumericColumn("b")),
        score=fields.COLUMN(columns.NumericColumn("i")),
        answers=fields.COLUMN(columns.NumericColumn("i")),
        accepted=fields.COLUMN(columns.NumericColumn("b")),
        created=fields.COLUMN(columns.NumericColumn("q")),
        tag_list=fields.COLUMN(columns.VarBytesColumn()),  # facets without the stored body
        doc=fields.STORED,
    )


def _fields(document: SearchDocument) -> dict:
    text = stem_counts(f"{document.parent_title} {document.body}")
    for term, count in stem_counts(document.title).items():
        text[term] += count * TITLE_REPEAT
    return {
        "id": str(document.id),
        "kind": KIND_CODES[document.kind],
        "text": text,
        "spell": " ".join(dict.fromkeys(w for w in words_of(document.title) if w.isalpha())),
        "title": " ".join(stem_counts(document.title)),
        "tags": " ".join(document.tags),
        "author": document.author,
        "score": document.score,
        "answers": document.answer_count,
        "accepted": int(document.accepted),
        "created": document.created_ts,
        "tag_list": " ".join(document.tags).encode(),
        "doc": _stored(document),
    }


def _stored(document: SearchDocument) -> tuple:
    return (
        document.kind,
        document.title,
        document.body,
        document.url,
        tuple(document.tags),
        document.author,
        document.author_name,
        document.score,
        document.answer_count,
        document.accepted,
        document.created_ts,
        document.parent_id,
        document.parent_title,
    )


def _document(post_id: int, stored: tuple) -> SearchDocument:
    return document_from_row((post_id, *stored))  # _stored() keeps the fields' order


class WhooshBackend(SearchBackend):
    name = "whoosh"

    def __init__(self, path: Path):
        self.path = Path(path)
        self._index = None
        self._searcher = None
        self._fast_index = None
        self._segment_cache: dict = {}
        self._vocabulary = None
        self._merging = threading.Lock()
        self._last_write = 0.0
        self._segment_readers: dict = {}  # segment id -> SegmentReader, for deletions

    # --- the index and its writers -----------------------------------------------------

    def exists(self) -> bool:
        return self.path.is_dir() and _toc_race_retried(lambda: index.exists_in(str(self.path)))

    def is_outdated(self) -> bool:
        """An index an older release wrote: text takes strings, or no title field."""
        if not self.exists():
            return False
        schema = self._ix().schema
        return not isinstance(schema["text"], CountedText) or "title" not in schema

    @contextmanager
    def _creation_lock(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.parent / ".whoosh-create.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _ix(self):
        if self._index is None:
            if not self.exists():
                # Two workers starting at once must not both create (and empty) the index.
                with self._creation_lock():
                    if not self.exists():
                        self.path.mkdir(parents=True, exist_ok=True)
                        index.create_in(str(self.path), _schema())
            self._index = _toc_race_retried(lambda: index.open_dir(str(self.path)))
        return self._index

    def _writer(self, **kwargs):
        """A writer, waiting for another process's writer with jittered back-off."""
        return open_with_backoff(
            lambda: self._ix().writer(codec=whoosh_fast.codec(), **kwargs),
            is_locked=lambda error: isinstance(error, LockError),
            timeout=WRITE_TIMEOUT,
        )

    def index_documents(self, documents: list[SearchDocument]) -> None:
        writer = self._writer()
        try:
            self._delete_ids(writer, [document.id for document in documents])
            for document in documents:
                writer.add_document(**_fields(document))
        except BaseException:
            writer.cancel()
            raise
        self._commit(writer)

    def remove_ids(self, post_ids: list[int]) -> None:
        if not self.exists():
            return
        writer = self._writer()
        try:
            self._delete_ids(writer, post_ids)
        except BaseException:
            writer.cancel()
            raise
        self._commit(writer)

    def _delete_ids(self, writer, post_ids: list[int]) -> None:
        """What ``update_document`` does before adding, without reopening every segment.

        ``update_document`` opens a reader on each segment for every write (~5 ms each).
        A segment's terms never change (deletions live on the writer's segment objects),
        so a reader per segment is opened once and kept while the segment exists.
        """
        live = set()
        for segment in writer.segments:
            key = segment.segment_id()
            live.add(key)
            if key not in self._segment_readers:
                self._segment_readers[key] = SegmentReader(writer.storage, writer.schema, segment)
            reader = self._segment_readers[key]
            for post_id in post_ids:
                ids, _ = whoosh_fast._postings(reader, "id", str(post_id))
                for docnum in ids:
                    segment.delete_document(docnum)
        for key in set(self._segment_readers) - live:
            self._segment_readers.pop(key).close()

    def _commit(self, writer) -> None:
        """Commit one small segment; merge the small ones later, in the background.

        Merging rewrites segments (0.2-0.5 s) and holds the index's only write lock, so an
        update must neither do it nor queue behind it: once the small segments pile up, a
        thread merges them when this process has not written for a moment.
        """
        writer.commit(merge=False)
        self._last_write = time.monotonic()
        if _tier_to_merge(self._ix()._segments()):
            self.merge_in_background()

    def merge_in_background(self) -> threading.Thread | None:
        if not self._merging.acquire(blocking=False):
            return None  # this process is merging already
        thread = threading.Thread(target=self._merge_small_segments, name="whoosh-merge")
        thread.daemon = True
        thread.start()
        return thread

    def wait_for_merge(self, timeout: float = MERGE_MAX_DELAY + WRITE_TIMEOUT) -> None:
        """Until a background merge this process started has finished."""
        if self._merging.acquire(timeout=timeout):
            self._merging.release()

    def _merge_small_segments(self) -> None:
        try:
            self._wait_for_quiet()
            if not self.exists():  # rebuilt elsewhere or removed meanwhile: nothing to merge
                self._merging.release()
                return
            writer = self._writer()  # waits its turn behind other writers
        except Exception:
            self._merging.release()
            logger.warning("Background merge of the Whoosh index skipped", exc_info=True)
            return
        try:
            writer.commit(mergetype=_merge_a_tier)
        except Exception:
            writer.cancel()
            logger.warning("Background merge of the Whoosh index failed", exc_info=True)
        finally:
            self._merging.release()

    def _wait_for_quiet(self) -> None:
        """Until no write for MERGE_IDLE_SECONDS, or MERGE_MAX_DELAY in a long burst."""
        started = time.monotonic()
        while time.monotonic() - started < MERGE_MAX_DELAY:
            quiet_for = time.monotonic() - self._last_write
            if quiet_for >= MERGE_IDLE_SECONDS:
                return
            time.sleep(MERGE_IDLE_SECONDS - quiet_for)

    def rebuild(
        self, documents: Iterable[SearchDocument], progress: Callable[[int], None] | None = None
    ) -> int:
        # Build beside the live index and swap, so searches keep working meanwhile.
        building = building_directory(self.path)
        new_index = index.create_in(str(building), _schema())
        writer = new_index.writer(
            limitmb=256, procs=REBUILD_PROCESSES, multisegment=True, codec=whoosh_fast.codec()
        )
        count = 0
        for document in documents:
            writer.add_document(**_fields(document))
            count += 1
            if progress:
                progress(1)
        writer.commit()
        with self._creation_lock():
            swap_in(building, self.path)
        self._index = None
        self._searcher = None
        for reader in self._segment_readers.values():
            reader.close()
        self._segment_readers.clear()
        return count

    # --- reading ------------------------------------------------------------------------

    def _get_searcher(self):
        # Searcher.refresh() reuses segment readers and can miss deletions: open anew.
        if self._searcher is not None and not self._searcher.up_to_date():
            self._searcher.close()
            self._searcher = None
        if self._searcher is None:
            self._searcher = self._ix().searcher(weighting=BM25F())
        return self._searcher

    def _fast(self) -> whoosh_fast.Index:
        searcher = self._get_searcher()
        if self._fast_index is None or self._fast_index.searcher is not searcher:
            self._fast_index = whoosh_fast.Index(searcher, self._segment_cache, COLUMNS)
            live = {s.reader._segment.segment_id() for s in self._fast_index.segments}
            for key in set(self._segment_cache) - live:
                del self._segment_cache[key]
        return self._fast_index

    def search(self, query: ParsedQuery, offset: int, limit: int, sort: str) -> EngineResult:
        if not self.exists():
            return EngineResult(total=0, documents=[])
        ix = self._fast()
        matches, complete = _matches(ix, query)
        patterns = [phrase_pattern(phrase) for phrase in query.phrases]
        patterns_out = [phrase_pattern(phrase) for phrase in query.excluded_phrases]
        wanted = offset + limit
        rerank = sort == "relevance" and len(query.words) > 1
        sample = max(FACET_SAMPLE, wanted + RERANK_EXTRA if rerank else wanted)
        if patterns or patterns_out:
            sample = max(sample, VERIFY_SAMPLE)
        top = _top(ix, matches, sort, query, sample)
        reader = _StoredReader(ix.searcher)
        total, estimated = len(matches), False
        if patterns or patterns_out:
            top, checked = self._verified(top, reader, patterns, patterns_out, wanted)
            if checked < total:
                estimated = True
                total = max(len(top), round(total * len(top) / max(1, checked)))
            else:
                total = len(top)
        if rerank:
            window = top[: wanted + RERANK_EXTRA]
            top = (
                _proximity_reranked(window, reader, phrase_pattern(query.words))
                + top[len(window) :]
            )
        page = top[offset:wanted]
        tags = ix.columns["tag_list"]
        return EngineResult(
            total=total,
            documents=[reader.document(docnum) for docnum, _ in page],
            scores=[score % COMPLETE for _, score in page],
            facet_tags=[tags[docnum].decode().split() for docnum, _ in top[:FACET_SAMPLE]],
            estimated=estimated,
            complete=complete,
        )

    @staticmethod
    def _verified(top, reader, patterns, patterns_out, wanted):
        """Narrow first, verify after: check candidates in rank order on the stored text."""
        kept, checked = [], 0
        for docnum, score in top:
            checked += 1
            text = reader.document(docnum).text
            if all(p.search(text) for p in patterns) and not any(
                p.search(text) for p in patterns_out
            ):
                kept.append((docnum, score))
            if len(kept) >= max(wanted, FACET_SAMPLE // 4) and checked >= wanted * 4:
                break
        return kept, checked

    def similar(
        self, weighted_words: dict[str, float], *, exclude_id: int | None, kind: str | None, n: int
    ) -> list[tuple[SearchDocument, float]]:
        if not self.exists():
            return []
        ix = self._fast()
        searcher = ix.searcher
        # The rarest words say most about a post, and they are the cheapest to score.
        stems = {stem(word): weight for word, weight in weighted_words.items()}
        frequency = {term: searcher.doc_frequency("text", term) for term in stems}
        chosen = sorted((t for t in stems if frequency[t]), key=frequency.get)[:MLT_TERMS]
        totals: dict[int, float] = {}
        for term in chosen:
            scored = ix.scores(term)
            for docnum, score in zip(scored.ids.tolist(), scored.scores.tolist(), strict=True):
                totals[docnum] = totals.get(docnum, 0.0) + score * stems[term]
        kinds = ix.columns["kind"]
        code = KIND_CODES.get(kind or "")
        ranked = heapq.nlargest(
            n + 1,
            ((d, s) for d, s in totals.items() if code is None or kinds[d] == code),
            key=lambda item: item[1],
        )
        scored = [
            (_document(int(stored["id"]), stored["doc"]), score)
            for docnum, score in ranked
            for stored in [searcher.stored_fields(docnum)]
        ]
        return [(d, score) for d, score in scored if d.id != exclude_id][:n]

    def suggest_word(self, word: str) -> str | None:
        if not self.exists() or not word.isalpha():
            return None
        searcher = self._get_searcher()
        if self._vocabulary is None or self._vocabulary[0] is not searcher:
            self._vocabulary = (searcher, set(searcher.reader().field_terms("spell")))
        known = self._vocabulary[1]
        candidates = one_edit_away(word) & known
        if not candidates:
            return None
        frequency = {c: searcher.doc_frequency("spell", c) for c in candidates}
        return max(sorted(candidates), key=frequency.get)

    def fingerprints(self) -> dict[int, str]:
        if not self.exists():
            return {}
        searcher = self._get_searcher()
        return {
            int(fields_["id"]): _document(int(fields_["id"]), fields_["doc"]).fingerprint
            for fields_ in searcher.all_stored_fields()
        }

    def get_documents(self, post_ids: list[int]) -> dict[int, SearchDocument]:
        if not self.exists():
            return {}
        searcher = self._get_searcher()
        found = {}
        for post_id in post_ids:
            stored = searcher.document(id=str(post_id))
            if stored:
                found[post_id] = _document(post_id, stored["doc"])
        return found


def _toc_race_retried(read, attempts: int = 5):
    """``read()``, again when another process's commit removed the table of contents it was
    opening (the newest TOC is listed, then a writer replaces it): the next look finds it."""
    for _ in range(attempts - 1):
        try:
            return read()
        except FileNotFoundError:
            continue
    return read()


class _StoredReader:
    """Stored documents read on demand, once each (they hold the whole body)."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.cache: dict[int, SearchDocument] = {}

    def document(self, docnum: int) -> SearchDocument:
        if docnum not in self.cache:
            stored = self.searcher.stored_fields(docnum)
            self.cache[docnum] = _document(int(stored["id"]), stored["doc"])
        return self.cache[docnum]


def _proximity_reranked(candidates, reader, pattern):
    """Words next to each other in the text rank above the same words scattered."""
    rescored = [
        (docnum, _with_bonus(score) if pattern.search(reader.document(docnum).text) else score)
        for docnum, score in candidates
    ]
    return sorted(rescored, key=lambda item: -item[1])


def _with_bonus(score: float) -> float:
    """The proximity bonus on the BM25 part only: a partial match stays below complete ones."""
    tier = score - score % COMPLETE
    return tier + (score - tier) * (1 + PROXIMITY_BONUS)


def _tier(segment) -> int:
    """Size tiers by number of digits: 1-9 documents, 10-99, 100-999..."""
    return len(str(max(1, segment.doc_count_all())))


def _tier_to_merge(segments) -> list:
    """The smallest tier's segments once it holds MERGE_FACTOR of them, else nothing.

    Each merge moves documents up one tier, so a document is rewritten once per tier
    (a handful of times), and a merge never rewrites the big segments a rebuild made.
    """
    tiers: dict[int, list] = {}
    for segment in segments:
        tiers.setdefault(_tier(segment), []).append(segment)
    for tier in sorted(tiers):
        if len(tiers[tier]) >= MERGE_FACTOR:
            return tiers[tier]
    return []


def _merge_a_tier(writer, segments):
    """A Whoosh merge policy: merges ``_tier_to_merge`` and keeps the other segments."""
    chosen = _tier_to_merge(segments)
    for segment in chosen:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [segment for segment in segments if segment not in chosen]


def _matches(ix: whoosh_fast.Index, query: ParsedQuery) -> tuple[whoosh_fast.Matches, int | None]:
    """Every matching document number with its score, and how many have all the words.

    Typed words are a best match: a post needs one of them (or an expansion, or a tag
    the words name); posts with all of them score ``COMPLETE`` more, so they come first.
    Required words and phrase words must all be there.
    """
    required = [stem(word) for word in query.required_words]
    for phrase in query.phrases:  # narrowing only: adjacency is verified on the stored text
        required += [stem(word) for word in phrase if word not in STOP_WORDS] or map(stem, phrase)
    Matches = whoosh_fast.Matches
    complete = None
    matches = None
    if query.words:
        matches = _best_match(ix, query)
        complete = int(np.count_nonzero(matches.scores >= COMPLETE))
    if required:
        needed = whoosh_fast.intersect([ix.scores(term) for term in dict.fromkeys(required)])
        matches = needed if matches is None else whoosh_fast.intersect([matches, needed])
    if matches is None:
        if query.tags:
            matches = Matches.unscored(ix.doc_ids("tags", query.tags[0]))
        elif query.user:
            matches = Matches.unscored(ix.doc_ids("author", query.user.lower()))
        else:
            matches = Matches.unscored(ix.all_docs())
    for allowed in [ix.doc_ids("tags", tag) for tag in query.tags] + (
        [ix.doc_ids("author", query.user.lower())] if query.user else []
    ):
        matches = matches.only(allowed)
    for test in _column_tests(ix, query):
        matches = matches.where(test(matches.ids))
    for word in query.excluded_words:
        matches = matches.without(ix.doc_ids("text", stem(word)))
    for tag in query.excluded_tags:
        matches = matches.without(ix.doc_ids("tags", tag))
    if complete is not None and (required or query.has_filters or query.excluded_words):
        complete = int(np.count_nonzero(matches.scores >= COMPLETE))
    return matches, complete


def _best_match(ix: whoosh_fast.Index, query: ParsedQuery) -> whoosh_fast.Matches:
    """Posts with any typed word, expansion or named tag; more words, more score.

    The summed BM25 is scaled by the share of typed words a post has; a post with every
    typed word gets ``COMPLETE`` on top, so it ranks above any partial match.
    """
    words = list(dict.fromkeys(stem(word) for word in query.words))
    parts = [(ix.scores(term), 1.0, True) for term in words]
    parts += [(ix.presence_scores("title", term), TITLE_WEIGHT, False) for term in words]
    parts += [
        (ix.scores(stem(word)), weight, False)
        for word, weight in query.expansions.items()
        if stem(word) not in words
    ]
    parts += [(ix.presence_scores("tags", tag), TAG_WEIGHT, False) for tag in query.boost_tags]
    parts = [part for part in parts if len(part[0])]
    if not parts:
        return whoosh_fast.Matches(whoosh_fast.NO_DOCS, whoosh_fast.NO_SCORES)
    ids = np.concatenate([matches.ids for matches, _, _ in parts])
    scores = np.concatenate([matches.scores * weight for matches, weight, _ in parts])
    counted = np.concatenate(
        [np.full(len(matches), typed, dtype=np.float32) for matches, _, typed in parts]
    )
    unique, inverse = np.unique(ids, return_inverse=True)
    total = np.bincount(inverse, weights=scores).astype(np.float32)
    matched = np.bincount(inverse, weights=counted)
    share = matched / max(1, len(words))
    total = total * (0.5 + 0.5 * share) + COMPLETE * (share >= 1.0)
    return whoosh_fast.Matches(unique, total.astype(np.float32))


def _column_tests(ix: whoosh_fast.Index, query: ParsedQuery):
    """Vectorised filters: each takes an array of document numbers, gives a keep-mask."""
    columns = ix.columns
    if query.kind:
        kinds, code = columns["kind"], KIND_CODES[query.kind]
        yield lambda ids: kinds[ids] == code
    if query.min_score is not None:
        scores, least = columns["score"], query.min_score
        yield lambda ids: scores[ids] >= least
    if query.answers is not None:
        answers, wanted = columns["answers"], query.answers
        yield (
            (lambda ids: answers[ids] == 0) if wanted == 0 else (lambda ids: answers[ids] >= wanted)
        )
    if query.accepted is not None:
        accepted, flag = columns["accepted"], int(query.accepted)
        yield lambda ids: accepted[ids] == flag


def _top(
    ix: whoosh_fast.Index, matches: whoosh_fast.Matches, sort: str, query: ParsedQuery, k: int
) -> list[tuple[int, float]]:
    """The best ``k`` matches as (document number, relevance), in order; ties: newest first."""
    created = ix.columns["created"][matches.ids]
    if sort == "newest" or (sort == "relevance" and not query.has_text):
        primary, secondary = created, matches.ids
    elif sort == "votes":
        primary, secondary = ix.columns["score"][matches.ids], created
    else:
        primary, secondary = matches.scores, created
    best = whoosh_fast.top(primary, secondary, k)
    return list(zip(matches.ids[best].tolist(), matches.scores[best].tolist(), strict=True))
