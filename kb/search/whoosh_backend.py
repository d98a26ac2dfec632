"""Whoosh engine: an index on disk, BM25F, title boosted, fast enough at 100k posts.

Speed choices (Whoosh is pure Python):
- Text is stemmed once in Python (kb.search.text, cached) and indexed as ready terms, so
  indexing skips Whoosh's per-token analyzer chain.
- No positions (they double the index and the build time). A phrase narrows first to the
  documents holding all its words (a cheap intersection), then the best-ranked candidates
  are verified on the stored text; the total is exact when all candidates fit in the
  verified sample, else estimated from it (and shown as "about N").
- Facets and the "words next to each other rank higher" bonus come from the same sample
  of the best results, read once.
- One searcher per process, refreshed when another process commits.
- Whoosh allows one writer at a time: writers retry ``LockError`` with jittered back-off.
"""

from __future__ import annotations

import fcntl
import logging
import os
import random
import shutil
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

from whoosh import columns, fields, index
from whoosh import query as wq
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.index import LockError
from whoosh.scoring import BM25F

from kb.search import EngineResult, SearchBackend, utc_from_timestamp
from kb.search.documents import SearchDocument
from kb.search.query import ParsedQuery
from kb.search.text import STOP_WORDS, phrase_pattern, stem, stems_of, words_of

logger = logging.getLogger("kb.search")

# The title's words are indexed this many times: one field with block-max skipping is
# several times faster in Whoosh than a boosted title field OR-ed with a body field.
TITLE_REPEAT = 3
PROXIMITY_BONUS = 0.5  # share of the score added when the words stand together
VERIFY_SAMPLE = 200  # phrase candidates verified on the stored text
WRITE_TIMEOUT = 60.0
FACET_SAMPLE = 100
# Rebuilds split the documents over this many processes (each writes its own segment).
REBUILD_PROCESSES = max(1, min(4, os.cpu_count() or 1))
SORT_FIELDS = {"newest": "created", "votes": "score"}


def _schema() -> fields.Schema:
    terms = SpaceSeparatedTokenizer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        kind=fields.ID,
        text=fields.TEXT(analyzer=terms, phrase=False),
        spell=fields.KEYWORD(scorable=False),
        tags=fields.KEYWORD,
        author=fields.ID,
        # One term per value (shift_step=bits): range queries on small numbers stay cheap and
        # indexing writes a fraction of the postings Whoosh's default trie needs.
        score=fields.NUMERIC(int, bits=32, shift_step=32, sortable=True),
        answers=fields.NUMERIC(int, bits=32, shift_step=32),
        accepted=fields.BOOLEAN,
        created=fields.COLUMN(columns.NumericColumn("q")),
        doc=fields.STORED,
    )


def _fields(document: SearchDocument) -> dict:
    title = " ".join(stems_of(document.title))
    text = [title] * TITLE_REPEAT + [" ".join(stems_of(f"{document.parent_title} {document.body}"))]
    return {
        "id": str(document.id),
        "kind": document.kind,
        "text": " ".join(text),
        "spell": " ".join(dict.fromkeys(w for w in words_of(document.title) if w.isalpha())),
        "tags": " ".join(document.tags),
        "author": document.author,
        "score": document.score,
        "answers": document.answer_count,
        "accepted": document.accepted,
        "created": document.created_ts,
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
    (kind, title, body, url, tags, author, author_name, score, answers, accepted, created,
     parent_id, parent_title) = stored  # fmt: skip
    return SearchDocument(
        id=post_id,
        kind=kind,
        title=title,
        body=body,
        url=url,
        tags=list(tags),
        author=author,
        author_name=author_name,
        score=score,
        answer_count=answers,
        accepted=accepted,
        created_at=utc_from_timestamp(created),
        parent_id=parent_id,
        parent_title=parent_title,
    )


class WhooshBackend(SearchBackend):
    name = "whoosh"

    def __init__(self, path: Path):
        self.path = Path(path)
        self._index = None
        self._searcher = None

    # --- the index and its writers -----------------------------------------------------

    def exists(self) -> bool:
        return self.path.is_dir() and index.exists_in(str(self.path))

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
            self._index = index.open_dir(str(self.path))
        return self._index

    def _writer(self, **kwargs):
        """A writer, waiting for another process's writer with jittered back-off."""
        deadline = time.monotonic() + WRITE_TIMEOUT
        delay = 0.01
        while True:
            try:
                return self._ix().writer(**kwargs)
            except LockError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 0.5)

    def index_documents(self, documents: list[SearchDocument]) -> None:
        writer = self._writer()
        try:
            for document in documents:
                writer.update_document(**_fields(document))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def remove_ids(self, post_ids: list[int]) -> None:
        if not self.exists():
            return
        writer = self._writer()
        try:
            for post_id in post_ids:
                writer.delete_by_term("id", str(post_id))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def rebuild(
        self, documents: Iterable[SearchDocument], progress: Callable[[int], None] | None = None
    ) -> int:
        # Build beside the live index and swap, so searches keep working meanwhile.
        building = self.path.with_name(self.path.name + ".building")
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir(parents=True)
        new_index = index.create_in(str(building), _schema())
        writer = new_index.writer(limitmb=256, procs=REBUILD_PROCESSES, multisegment=True)
        count = 0
        for document in documents:
            writer.add_document(**_fields(document))
            count += 1
            if progress:
                progress(1)
        writer.commit()
        with self._creation_lock():
            old = self.path.with_name(self.path.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            if self.path.exists():
                os.rename(self.path, old)
            os.rename(building, self.path)
            shutil.rmtree(old, ignore_errors=True)
        self._index = None
        self._searcher = None
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

    def search(self, query: ParsedQuery, offset: int, limit: int, sort: str) -> EngineResult:
        if not self.exists():
            return EngineResult(total=0, documents=[])
        whoosh_query, narrow, mask = _build_query(query)
        if whoosh_query is None:
            return EngineResult(total=0, documents=[])
        searcher = self._get_searcher()
        sortedby = SORT_FIELDS.get(sort) or (None if query.has_text else "created")
        patterns = [phrase_pattern(phrase) for phrase in query.phrases]
        sample = max(VERIFY_SAMPLE if patterns else FACET_SAMPLE, offset + limit)
        results = searcher.search(
            whoosh_query,
            limit=sample,
            sortedby=sortedby,
            reverse=bool(sortedby),
            filter=narrow,
            mask=mask,
            terms=False,
        )
        candidates = [
            (score or 0.0, _document(int(fields_["id"]), fields_["doc"]))
            for (score, docnum) in results.top_n
            for fields_ in [searcher.stored_fields(docnum)]
        ]
        total, estimated = len(results), False
        if patterns:
            verified = [c for c in candidates if _matches_all(c[1], patterns)]
            if total > len(candidates):
                estimated = True
                total = round(total * len(verified) / max(1, len(candidates)))
            else:
                total = len(verified)
            candidates = verified
        if sortedby is None and len(query.words) > 1:
            candidates = _proximity_reranked(candidates, phrase_pattern(query.words))
        page = candidates[offset : offset + limit]
        return EngineResult(
            total=max(total, len(candidates)),
            documents=[document for _, document in page],
            scores=[score for score, _ in page],
            facet_tags=[document.tags for _, document in candidates[:FACET_SAMPLE]],
            estimated=estimated,
        )

    def similar(
        self, weighted_words: dict[str, float], *, exclude_id: int | None, kind: str | None, n: int
    ) -> list[SearchDocument]:
        if not self.exists():
            return []
        searcher = self._get_searcher()
        words = wq.Or([wq.Term("text", stem(w), boost=b) for w, b in weighted_words.items()])
        narrow = wq.Term("kind", kind) if kind else None
        mask = wq.Term("id", str(exclude_id)) if exclude_id else None
        results = searcher.search(words, limit=n, filter=narrow, mask=mask, terms=False)
        return [_document(int(hit["id"]), hit["doc"]) for hit in results]

    def suggest_word(self, word: str) -> str | None:
        if not self.exists():
            return None
        searcher = self._get_searcher()
        suggestions = searcher.corrector("spell").suggest(word, limit=1, maxdist=2)
        return suggestions[0] if suggestions else None

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


def _text(document: SearchDocument) -> str:
    return f"{document.title}\n{document.parent_title}\n{document.body}"


def _matches_all(document: SearchDocument, patterns) -> bool:
    text = _text(document)
    return all(pattern.search(text) for pattern in patterns)


def _proximity_reranked(candidates, pattern):
    """Words next to each other in the text rank above the same words scattered."""
    return sorted(
        ((score * (1 + PROXIMITY_BONUS) if pattern.search(_text(doc)) else score, doc)
         for score, doc in candidates),
        key=lambda item: -item[0],
    )  # fmt: skip


def _word_query(word: str):
    return wq.Term("text", stem(word))


def _phrase_query(words: list[str]):
    """Narrowing only: every word of the phrase; adjacency is verified on the stored text."""
    meaningful = [w for w in words if w not in STOP_WORDS] or words
    queries = [_word_query(word) for word in dict.fromkeys(meaningful)]
    return wq.And(queries) if len(queries) > 1 else queries[0]


def _build_query(query: ParsedQuery):
    """(scored text query, filter, mask): filters and exclusions only narrow, never score."""
    text = [_word_query(word) for word in query.words]
    text += [_phrase_query(phrase) for phrase in query.phrases]
    filters = [wq.Term("tags", tag) for tag in query.tags]
    if query.kind:
        filters.append(wq.Term("kind", query.kind))
    if query.user:
        filters.append(wq.Term("author", query.user.lower()))
    if query.min_score is not None:
        filters.append(wq.NumericRange("score", query.min_score, None))
    if query.answers is not None:
        top = 0 if query.answers == 0 else None
        filters.append(wq.NumericRange("answers", query.answers, top))
    if query.accepted is not None:
        filters.append(wq.Term("accepted", query.accepted))
    exclusions = [_word_query(w) for w in query.excluded_words]
    exclusions += [_phrase_query(phrase) for phrase in query.excluded_phrases]
    exclusions += [wq.Term("tags", tag) for tag in query.excluded_tags]
    if not text and not filters:
        return None, None, None
    main = _and(text) if text else _and(filters)
    narrow = _and(filters) if text and filters else None
    mask = wq.Or(exclusions) if exclusions else None
    return main, narrow, mask


def _and(queries):
    return wq.And(queries) if len(queries) > 1 else queries[0]
