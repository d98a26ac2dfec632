"""tantivy engine: the Rust library's Python bindings, an index on disk like Whoosh's.

Text fields use the ``en_kb`` analyzer: tantivy's ``en_stem`` (Porter 2, as kb.search.text
highlights with) that leaves out "quite", which Snowball stems to "quit". Words go through
tantivy's own query parser one at a time, so they are analysed exactly as the index was; the
port's parser has already reduced them to ``\\w+`` words, so nothing a user types reaches
tantivy's query syntax. One writer at a time per index: writers retry a busy lock with
jittered back-off.

Typed words are a best match, in two passes with the same filters: the posts with every
word (their count is ``complete``), then the posts with some of them, an expansion or a
tag the words name.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

import tantivy

from kb.search import EngineResult, SearchBackend, utc_from_timestamp
from kb.search.documents import SearchDocument
from kb.search.ondisk import building_directory, open_with_backoff, swap_in
from kb.search.query import ParsedQuery
from kb.search.text import closest_word, phrase_pattern, words_of

logger = logging.getLogger("kb.search")

ANALYZER = "en_kb"
# Snowball folds these into another word's stem ("quite" -> "quit"); tantivy-py has no
# stemmer exclusions, so they are left out of the index (a phrase skips over them).
UNSTEMMED_OUT = ["quite"]
TITLE_BOOST = 3.0
TAG_BOOST = 1.5  # a tag the query's words name, in units of the tag's BM25
PARENT_TITLE_BOOST = 0.5
TEXT_FIELDS = ["title", "body", "parent_title"]
BOOSTS = {"title": TITLE_BOOST, "parent_title": PARENT_TITLE_BOOST}
WRITE_TIMEOUT = 60.0
FACET_SIZE = 10
FACET_SAMPLE = 100  # facets count the tags of the first this-many results
RERANK_EXTRA = 20  # candidates beyond the page that the proximity bonus may lift into it
PROXIMITY_BONUS = 0.5  # share of the score added when the words stand together
SORT_FIELDS = {"newest": "created", "votes": "score"}
_Occur = tantivy.Occur


def _boolean(clauses: list[tuple]) -> tantivy.Query:
    return tantivy.Query.boolean_query(clauses)


def _any(queries: list[tantivy.Query]) -> tantivy.Query:
    return tantivy.Query.boolean_query([(_Occur.Should, q) for q in queries])


def _const(query: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.const_score_query(query, 1.0)


def _analyzer() -> tantivy.TextAnalyzer:
    """tantivy's en_stem, with the words of ``UNSTEMMED_OUT`` dropped before stemming."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.custom_stopword(UNSTEMMED_OUT))
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


_ANALYZER = _analyzer()


def _open(schema: tantivy.Schema, path: Path, *, reuse: bool) -> tantivy.Index:
    index = tantivy.Index(schema, path=str(path), reuse=reuse)
    index.register_tokenizer(ANALYZER, _ANALYZER)
    return index


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("kind", stored=True, tokenizer_name="raw", index_option="basic")
    for name in TEXT_FIELDS:
        builder.add_text_field(name, stored=True, tokenizer_name=ANALYZER)
    builder.add_text_field("spell", tokenizer_name="default", index_option="basic")
    builder.add_text_field(
        "tags", stored=True, tokenizer_name="raw", index_option="basic", fast=True
    )
    builder.add_text_field("author", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("meta", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("score", stored=True, indexed=True, fast=True)
    builder.add_integer_field("answers", stored=True, indexed=True, fast=True)
    builder.add_integer_field("accepted", stored=True, indexed=True, fast=True)
    builder.add_integer_field("created", stored=True, indexed=True, fast=True)
    return builder.build()


def _tantivy_document(document: SearchDocument) -> tantivy.Document:
    meta = json.dumps([document.url, document.author_name, document.parent_id])
    return tantivy.Document(
        id=document.id,
        kind=document.kind,
        title=document.title,
        body=document.body,
        parent_title=document.parent_title,
        spell=document.title,
        tags=list(document.tags),
        author=document.author,
        meta=meta,
        score=document.score,
        answers=document.answer_count,
        accepted=int(document.accepted),
        created=document.created_ts,
    )


def _proximity_reranked(ranked: list, pattern) -> list:
    """Words next to each other in the text rank above the same words scattered.

    ``ranked`` holds (tier, score, document); the bonus reorders within a tier only.
    Checked on the stored text of the candidates that may reach the page: a slop-1 phrase
    query costs more than the search itself, even restricted to these candidates.
    """
    rescored = [
        (tier, key * (1 + PROXIMITY_BONUS) if pattern.search(document.text) else key, document)
        for tier, key, document in ranked
    ]
    return sorted(rescored, key=lambda item: (item[0], -item[1]))


def _searchable(words: list[str]) -> list[str]:
    """The words the analyzer keeps: one it drops ("quite") would match no post at all."""
    return [word for word in words if _ANALYZER.analyze(word)]


def _first(stored: dict, name: str, default=None):
    values = stored.get(name) or []
    return values[0] if values else default


def _search_document(stored: dict) -> SearchDocument:
    url, author_name, parent_id = json.loads(_first(stored, "meta", "[]"))
    return SearchDocument(
        id=_first(stored, "id"),
        kind=_first(stored, "kind", ""),
        title=_first(stored, "title", ""),
        body=_first(stored, "body", ""),
        url=url,
        tags=list(stored.get("tags") or []),
        author=_first(stored, "author", ""),
        author_name=author_name,
        score=_first(stored, "score", 0),
        answer_count=_first(stored, "answers", 0),
        accepted=bool(_first(stored, "accepted", 0)),
        created_at=utc_from_timestamp(_first(stored, "created", 0)),
        parent_id=parent_id,
        parent_title=_first(stored, "parent_title", ""),
    )


class TantivyBackend(SearchBackend):
    name = "tantivy"

    def __init__(self, path: Path):
        self.path = Path(path)
        self._index: tantivy.Index | None = None
        self._schema = _schema()
        self._meta_mtime = None

    def exists(self) -> bool:
        return (self.path / "meta.json").exists()

    def is_outdated(self) -> bool:
        if not self.exists():
            return False
        try:
            self._ix()
        except ValueError as error:  # "An index exists but the schema does not match."
            return "schema" in str(error).lower()
        return False

    def _ix(self) -> tantivy.Index:
        if self._index is None:
            self.path.mkdir(parents=True, exist_ok=True)
            self._index = _open(self._schema, self.path, reuse=True)
        return self._index

    def _searcher(self) -> tantivy.Searcher:
        index = self._ix()
        # Another process may have committed: reload when meta.json changed.
        # meta.json is replaced (a new inode) on every commit; mtime alone ticks too coarsely.
        stat = (self.path / "meta.json").stat()
        version = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if version != self._meta_mtime:
            index.reload()
            self._meta_mtime = version
        return index.searcher()

    def _writer(self, heap: int = 15_000_000, threads: int = 1):
        return open_with_backoff(
            lambda: self._ix().writer(heap, threads),
            # tantivy reports a held lock as a ValueError mentioning the lock
            is_locked=lambda error: isinstance(error, ValueError) and "lock" in str(error).lower(),
            timeout=WRITE_TIMEOUT,
        )

    def index_documents(self, documents: list[SearchDocument]) -> None:
        writer = self._writer()
        try:
            for document in documents:
                writer.delete_documents_by_term("id", document.id)
                writer.add_document(_tantivy_document(document))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        # No wait_merging_threads(): merges finish in the background, the update returns now.

    def remove_ids(self, post_ids: list[int]) -> None:
        if not self.exists():
            return
        writer = self._writer()
        try:
            for post_id in post_ids:
                writer.delete_documents_by_term("id", post_id)
            writer.commit()
        except BaseException:
            writer.rollback()
            raise

    def rebuild(
        self, documents: Iterable[SearchDocument], progress: Callable[[int], None] | None = None
    ) -> int:
        building = building_directory(self.path)
        index = _open(self._schema, building, reuse=False)
        writer = index.writer(256_000_000, 2)
        count = 0
        for document in documents:
            writer.add_document(_tantivy_document(document))
            count += 1
            if progress:
                progress(1)
        writer.commit()
        writer.wait_merging_threads()
        swap_in(building, self.path)
        self._index = None
        self._meta_mtime = None
        return count

    # --- reading ------------------------------------------------------------------------

    def _text_query(self, text: str) -> tantivy.Query:
        return self._ix().parse_query(text, TEXT_FIELDS, field_boosts=BOOSTS)

    def _term(self, field: str, value) -> tantivy.Query:
        return tantivy.Query.term_query(self._schema, field, value)

    def _term_set(self, field: str, values: list) -> tantivy.Query:
        return tantivy.Query.term_set_query(self._schema, field, values)

    def _any_id(self, post_ids: list[int]) -> tantivy.Query:
        # For ~100 ids, OR-ed term queries cost half of a term-set query on a numeric field.
        return tantivy.Query.boolean_query(
            [(_Occur.Should, self._term("id", post_id)) for post_id in post_ids]
        )

    def _range(self, field: str, low: int | None, high: int | None) -> tantivy.Query:
        return tantivy.Query.range_query(self._schema, field, tantivy.FieldType.Integer, low, high)

    def _constraints(self, query: ParsedQuery) -> list[tuple]:
        """What every pass shares: +words, phrases, filters and exclusions."""
        must = [self._text_query(word) for word in query.required_words]
        must += [self._text_query('"' + " ".join(p) + '"') for p in query.phrases]
        must += [self._term("tags", tag) for tag in query.tags]
        if query.kind:
            must.append(self._term("kind", query.kind))
        if query.user:
            must.append(self._term("author", query.user.lower()))
        if query.min_score is not None:
            must.append(self._range("score", query.min_score, None))
        if query.answers is not None:
            must.append(self._range("answers", query.answers, 0 if query.answers == 0 else None))
        if query.accepted is not None:
            must.append(self._term("accepted", int(query.accepted)))
        clauses = [(_Occur.Must, q) for q in must]
        clauses += [(_Occur.MustNot, self._text_query(w)) for w in query.excluded_words]
        clauses += [
            (_Occur.MustNot, self._text_query('"' + " ".join(p) + '"'))
            for p in query.excluded_phrases
        ]
        clauses += [(_Occur.MustNot, self._term("tags", t)) for t in query.excluded_tags]
        return clauses

    def _boosts(self, query: ParsedQuery) -> list[tantivy.Query]:
        """Optional clauses that add score: slang expansions and tags the words name."""
        boosts = [
            tantivy.Query.boost_query(self._text_query(word), weight)
            for word, weight in query.expansions.items()
        ]
        boosts += [
            tantivy.Query.boost_query(self._term("tags", tag), TAG_BOOST)
            for tag in query.boost_tags
        ]
        return boosts

    def _passes(self, query: ParsedQuery, by_relevance: bool):
        """The queries whose results follow each other, and the one counting ``complete``.

        By relevance: the posts with every typed word, then those with some of them (or an
        expansion, or a named tag). Sorted by a field, one pass holds both.
        """
        constraints = self._constraints(query)
        words = [self._text_query(word) for word in _searchable(query.words)]
        boosts = self._boosts(query)
        if not query.words:
            if not any(occur == _Occur.Must for occur, _ in constraints):
                return [], None
            if not query.has_text:
                return [_const(_boolean(constraints))], None
            return [_boolean(constraints + [(_Occur.Should, q) for q in boosts])], None
        every = _boolean(
            constraints + [(_Occur.Must, q) for q in words] + [(_Occur.Should, q) for q in boosts]
        )
        complete = every if words else None
        if not words + boosts:
            return [], None
        some = [*constraints, (_Occur.Must, _any(words + boosts))]
        if not by_relevance:
            return [_boolean(some)], complete
        if words:
            some.append((_Occur.MustNot, _boolean([(_Occur.Must, q) for q in words])))
        return ([every] if words else []) + [_boolean(some)], complete

    def search(self, query: ParsedQuery, offset: int, limit: int, sort: str) -> EngineResult:
        if not self.exists():
            return EngineResult(total=0, documents=[])
        order_by = SORT_FIELDS.get(sort) or (None if query.has_text else "created")
        passes, complete_query = self._passes(query, by_relevance=order_by is None)
        if not passes:
            return EngineResult(total=0, documents=[], complete=0 if query.words else None)
        searcher = self._searcher()
        kwargs = {"order_by_field": order_by} if order_by else {}
        wanted = offset + limit
        nearby = _searchable(query.words) if order_by is None else []
        window = wanted + RERANK_EXTRA if len(nearby) > 1 else wanted
        # One top-k per pass serves the page, the proximity re-rank and the facet sample;
        # the ids come from the id column, so only the page's stored documents are read.
        hits, counts = self._run(searcher, passes, max(FACET_SAMPLE, window), kwargs)
        complete = self._complete(searcher, query, passes, counts, complete_query)
        total = sum(counts) if order_by is None else counts[0]
        if not total:
            return EngineResult(total=0, documents=[], complete=complete)
        ids = searcher.fast_field_values("id", [address for _, _, address in hits])
        ranked = [
            (tier, float(key) if order_by is None else 0.0, self._document(searcher, address))
            for tier, key, address in hits[:window]
        ]
        if len(nearby) > 1:
            ranked = _proximity_reranked(ranked, phrase_pattern(nearby))
        page = ranked[offset:wanted]
        return EngineResult(
            total=total,
            documents=[document for _, _, document in page],
            scores=[key for _, key, _ in page],
            facet_counts=self._facets(searcher, ids[:FACET_SAMPLE]),
            complete=complete,
        )

    @staticmethod
    def _run(searcher, passes: list, sample: int, kwargs: dict) -> tuple[list, list[int]]:
        """The first ``sample`` hits as (pass, key, address), and each pass's count."""
        hits: list[tuple] = []
        counts = []
        for tier, tantivy_query in enumerate(passes):
            room = sample - len(hits)
            result = searcher.search(tantivy_query, max(1, room), count=True, **kwargs)
            counts.append(result.count)
            hits += [(tier, key, address) for key, address in result.hits[: max(0, room)]]
        return hits, counts

    @staticmethod
    def _complete(searcher, query, passes, counts, complete_query) -> int | None:
        if not query.words:
            return None
        if complete_query is None:
            return 0
        if passes[0] is complete_query:
            return counts[0]
        return searcher.search(complete_query, 1, count=True).count

    @staticmethod
    def _document(searcher, address) -> SearchDocument:
        return _search_document(searcher.doc(address).to_dict())

    def _facets(self, searcher, post_ids: list[int]) -> list[tuple[str, int]]:
        """Tag counts over the best results, as the other engines count them."""
        aggregation = {"tags": {"terms": {"field": "tags", "size": FACET_SIZE + 5}}}
        sample = self._any_id(post_ids)
        buckets = searcher.aggregate(sample, aggregation)["tags"]["buckets"]
        return [(bucket["key"], int(bucket["doc_count"])) for bucket in buckets]

    def similar(
        self, weighted_words: dict[str, float], *, exclude_id: int | None, kind: str | None, n: int
    ) -> list[tuple[SearchDocument, float]]:
        if not self.exists():
            return []
        should = [
            (_Occur.Should, tantivy.Query.boost_query(self._text_query(word), weight))
            for word, weight in weighted_words.items()
        ]
        clauses = [(_Occur.Must, tantivy.Query.boolean_query(should))]
        if kind:
            clauses.append((_Occur.Must, self._term("kind", kind)))
        if exclude_id:
            clauses.append((_Occur.MustNot, self._term("id", exclude_id)))
        searcher = self._searcher()
        result = searcher.search(tantivy.Query.boolean_query(clauses), n, count=False)
        return [
            (_search_document(searcher.doc(address).to_dict()), score)
            for score, address in result.hits
        ]

    def suggest_word(self, word: str) -> str | None:
        if not self.exists() or not word.isalpha():
            return None
        searcher = self._searcher()
        fuzzy = tantivy.Query.fuzzy_term_query(self._schema, "spell", word, distance=2)
        result = searcher.search(fuzzy, 20, count=False)
        candidates = {
            candidate
            for _, address in result.hits
            for candidate in words_of(_first(searcher.doc(address).to_dict(), "title", ""))
        }
        return closest_word(word, candidates)

    def fingerprints(self) -> dict[int, str]:
        return {doc.id: doc.fingerprint for doc in self._all_documents()}

    def _all_documents(self) -> list[SearchDocument]:
        if not self.exists():
            return []
        searcher = self._searcher()
        total = searcher.num_docs
        if not total:
            return []
        result = searcher.search(tantivy.Query.all_query(), total, count=False)
        return [_search_document(searcher.doc(address).to_dict()) for _, address in result.hits]

    def get_documents(self, post_ids: list[int]) -> dict[int, SearchDocument]:
        if not self.exists() or not post_ids:
            return {}
        searcher = self._searcher()
        query = self._term_set("id", list(post_ids))
        result = searcher.search(query, len(post_ids), count=False)
        documents = [_search_document(searcher.doc(a).to_dict()) for _, a in result.hits]
        return {document.id: document for document in documents}
