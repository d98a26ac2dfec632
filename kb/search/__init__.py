"""The search port: one interface, three engines (DESIGN.md, "Search: one port, three engines").

``settings.SEARCH_BACKEND`` picks the engine: ``whoosh`` (default, on disk under
``settings.INDEX_DIR``), ``postgres`` (full-text search in the database, GIN index) or
``tantivy`` (on disk, fast). Everything else in the project talks to this module only:

- ``schedule_reindex(*post_ids)``: re-index after the transaction commits; a failure is
  logged and never loses the post (the database is the truth; ``manage.py rebuild_index``
  restores the index, ``check_index`` finds drift). The domain does not call it: every
  change arrives as ``kb.events.content_changed``, subscribed in kb/search/signals.py.
  A question's answers follow it: out of the index when it is deleted, back when it is
  restored or retitled (``reindex_now``), so the question's id alone is enough.
- ``search(parsed, page, sort)`` -> ``SearchPage``; ``parse(raw)`` makes ``parsed``.
- ``more_like_this(post, n)`` and ``similar_to_title(title, n)``: related questions;
  ``related_questions(post)`` is the never-raising form for the question page, rendered by
  ``templates/kb/includes/related_questions.html`` (context variable ``related_questions``).
- ``index(post)``, ``remove(post_id)``, ``rebuild(documents)``, ``rebuild_from_database()``:
  an import's event asks for ``rebuild_from_database()`` when it changed too many posts.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property

from django.conf import settings
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe

from kb.search import freshness
from kb.search.documents import (
    SearchDocument,
    document_for,
    documents_for,
    indexable_posts,
    iter_all_documents,
)
from kb.search.query import ParsedQuery, parse
from kb.search.text import highlight
from kb.search.vocabulary import QUERY_STOP_WORDS

logger = logging.getLogger("kb.search")

SORTS = ("relevance", "newest", "votes")
PER_PAGE = 10
MAX_PAGE = 100
FACET_SAMPLE = 100  # facets count the tags of the first this-many results
FACET_LIMIT = 10
# Posts read per result wanted, grouped into threads: most threads bring one to three. A
# pool that holds too few threads is read again, this many times larger, up to MAX_POOL,
# unless the engine gave fewer posts than asked (its total may be an estimate).
POOL_PER_RESULT = 3
POOL_GROWTH = 4
MAX_POOL = 1000

__all__ = [
    "SORTS",
    "Hit",
    "ParsedQuery",
    "SearchDocument",
    "SearchPage",
    "get_backend",
    "index",
    "more_like_this",
    "parse",
    "rebuild",
    "rebuild_from_database",
    "related_questions",
    "remove",
    "schedule_reindex",
    "search",
    "similar_to_title",
]


@dataclass(frozen=True)
class Original:
    """The question a closed duplicate points to, as its search result names it."""

    id: int
    title: str
    url: str


@dataclass
class Hit:
    """One result: what the results page shows, read from the index (no database query)."""

    id: int
    kind: str
    title: str
    url: str
    snippet: SafeString
    title_html: SafeString
    tags: list[str]
    score: int
    answer_count: int
    accepted: bool
    created_at: datetime
    author: str
    author_name: str
    parent_id: int | None = None
    relevance: float = 0.0
    matching_answers: int = 0  # answers of this question that matched too
    snippet_from_answer: bool = False
    by_meaning: bool = False  # found by the semantic layer, not by the words
    duplicate_of: Original | None = None  # a question closed as a duplicate: its original

    @property
    def is_answer(self) -> bool:
        return self.kind == "answer"


@dataclass
class EngineResult:
    """What an engine returns; the port turns it into a SearchPage."""

    total: int
    documents: list[SearchDocument]  # the requested page
    scores: list[float] = field(default_factory=list)
    facet_tags: list[list[str]] = field(default_factory=list)  # tags of the first results
    estimated: bool = False  # total extrapolated from a verified sample (Whoosh phrases)
    facet_counts: list[tuple[str, int]] | None = None  # counted by the engine over all results
    # How many posts match every one of ``query.words`` (None: the engine did not count);
    # 0 with a nonzero total means the page shows best partial matches.
    complete: int | None = None


@dataclass
class SearchPage:
    query: ParsedQuery
    hits: list[Hit]
    total: int
    number: int
    per_page: int
    sort: str
    took_ms: float
    facets: list[tuple[str, int]] = field(default_factory=list)
    suggestion: str | None = None  # a corrected raw query ("did you mean")
    messages: list[str] = field(default_factory=list)
    estimated: bool = False  # total is an estimate: show "about"

    # The attributes templates/includes/pagination.html reads from a Django Page.
    @property
    def paginator(self) -> SearchPage:
        return self

    @cached_property
    def num_pages(self) -> int:
        return max(1, min(MAX_PAGE, math.ceil(self.total / self.per_page)))

    def has_next(self) -> bool:
        return self.number < self.num_pages

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.hits else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.hits)


class SearchBackend:
    """What every engine implements (the contract tests in tests/search/ hold them to it)."""

    name = "base"

    def exists(self) -> bool:
        raise NotImplementedError

    def is_outdated(self) -> bool:
        """An index exists but was built for an older layout: rebuild_index replaces it."""
        return False

    def wait_for_merge(self) -> None:
        """Until index maintenance this process started in the background has finished."""

    def index_documents(self, documents: list[SearchDocument]) -> None:
        raise NotImplementedError

    def remove_ids(self, post_ids: list[int]) -> None:
        raise NotImplementedError

    def rebuild(
        self, documents: Iterable[SearchDocument], progress: Callable[[int], None] | None = None
    ) -> int:
        raise NotImplementedError

    def search(self, query: ParsedQuery, offset: int, limit: int, sort: str) -> EngineResult:
        raise NotImplementedError

    def similar(
        self, weighted_words: dict[str, float], *, exclude_id: int | None, kind: str | None, n: int
    ) -> list[tuple[SearchDocument, float]]:
        """The ``n`` best (document, score) for these words, best first: related questions.
        Scores compare within one call only (equal scores are a tie, which fresher advice
        breaks)."""
        raise NotImplementedError

    def suggest_word(self, word: str) -> str | None:
        return None

    def knows_word(self, word: str) -> bool:
        """Whether any post holds the word (stemmed as the index does)."""
        return bool(self.search(ParsedQuery(required_words=[word]), 0, 1, "relevance").total)

    def fingerprints(self) -> dict[int, str]:
        raise NotImplementedError

    def get_documents(self, post_ids: list[int]) -> dict[int, SearchDocument]:
        raise NotImplementedError


_backends: dict[tuple[str, str], SearchBackend] = {}


def get_backend(name: str | None = None) -> SearchBackend:
    """The configured engine, one instance per process (and per index directory)."""
    name = name or settings.SEARCH_BACKEND
    key = (name, str(settings.INDEX_DIR))
    if key not in _backends:
        _backends[key] = _make_backend(name)
    return _backends[key]


def _make_backend(name: str) -> SearchBackend:
    if name == "whoosh":
        from kb.search.whoosh_backend import WhooshBackend

        return WhooshBackend(settings.INDEX_DIR / "whoosh")
    if name == "tantivy":
        from kb.search.tantivy_backend import TantivyBackend

        return TantivyBackend(settings.INDEX_DIR / "tantivy")
    if name == "postgres":
        from kb.search.postgres_backend import PostgresBackend

        return PostgresBackend()
    raise ValueError(f"Unknown search backend {name!r}; use one of {settings.SEARCH_BACKENDS}")


# --- writing ------------------------------------------------------------------------------


def index(post) -> None:
    """Index one post now (or drop it when it is deleted)."""
    document = document_for(post)
    if document is None:
        remove(post.pk)
    else:
        get_backend().index_documents([document])


def remove(post_id: int) -> None:
    get_backend().remove_ids([post_id])


def reindex_now(post_ids: Iterable[int]) -> None:
    """Bring these posts' documents up to date from the database (deleted ones go away).

    A question stands for its thread: its answers follow it out of the index when it is
    deleted, and back in when it is restored or its title, URL or tags change.
    """
    ids = set(post_ids)
    if not ids:
        return
    backend = get_backend()
    documents = {document.id: document for document in documents_for(indexable_posts(ids))}
    hidden, changed = _answers_following_their_question(backend, ids, documents)
    documents.update((d.id, d) for d in documents_for(indexable_posts(changed - ids)))
    ids |= hidden | changed
    gone = sorted(ids - documents.keys())
    if gone:
        backend.remove_ids(gone)
    if documents:
        backend.index_documents([documents[pk] for pk in sorted(documents)])


def _answers_following_their_question(
    backend: SearchBackend, ids: set[int], documents: dict[int, SearchDocument]
) -> tuple[set[int], set[int]]:
    """The answers of these questions that a change of their question reaches.

    Returns (answers of deleted questions, to remove unread; answers of visible questions
    that the index lacks or holds with another title, URL or tags, to write again). A vote
    or a comment on a question with many answers still rewrites one document, not all.
    """
    from kb.models import Post

    answers: dict[int, set[int]] = {}
    rows = Post.objects.filter(parent_id__in=ids).values_list("pk", "parent_id")
    for answer_id, question_id in rows:
        answers.setdefault(question_id, set()).add(answer_id)
    shown = [pk for pk in answers if pk in documents]
    indexed = backend.get_documents(shown) if shown else {}
    hidden, changed = set(), set()
    for question_id, answer_ids in answers.items():
        if question_id not in documents:
            hidden |= answer_ids
        elif _thread_key(indexed.get(question_id)) != _thread_key(documents[question_id]):
            changed |= answer_ids
    return hidden, changed


def _thread_key(document: SearchDocument | None) -> tuple | None:
    """What an answer's document copies from its question."""
    if document is None:
        return None
    return (document.title, document.url, sorted(document.tags))


_pending = threading.local()


def _pending_ids() -> set[int]:
    if not hasattr(_pending, "ids"):
        _pending.ids = set()
    return _pending.ids


def _flush_pending() -> None:
    """Index every post scheduled so far in one write (a request saves a post several times)."""
    pending = _pending_ids()
    ids = sorted(pending)
    pending.clear()
    if not ids:
        return
    try:
        reindex_now(ids)
    except Exception:
        # The post is saved: the database is the truth and rebuild_index restores the index.
        logger.exception("Search index update failed for posts %s", ids)
    try:
        from kb.search import vectors

        vectors.sync(ids)
    except Exception:
        logger.exception("Vector update failed for posts %s", ids)


def schedule_reindex(*post_ids: int) -> None:
    """Re-index these posts (or drop them when deleted) after the current transaction commits."""
    ids = {int(pk) for pk in post_ids if pk is not None}
    if ids:
        _pending_ids().update(ids)
        transaction.on_commit(_flush_pending)


def rebuild(
    documents: Iterable[SearchDocument], progress: Callable[[int], None] | None = None
) -> int:
    """Replace the whole index with these documents; returns how many were indexed."""
    return get_backend().rebuild(documents, progress)


def rebuild_from_database(progress: Callable[[int], None] | None = None) -> int:
    """The index and the vectors from the database (unchanged vectors are kept)."""
    from kb.search import vectors

    count = rebuild(iter_all_documents(), progress)
    vectors.rebuild()
    return count


# --- reading ------------------------------------------------------------------------------


def search(
    query: ParsedQuery | str,
    page: int = 1,
    sort: str = "relevance",
    per_page: int = PER_PAGE,
    backend: SearchBackend | None = None,
) -> SearchPage:
    """One page of results. Never raises for anything a user can type.

    A question and its matching answers are one result (``is:answer`` lists answers
    alone). ``backend`` is for the benchmark, which measures engines side by side.
    """
    started = time.perf_counter()
    if isinstance(query, str):
        query = parse(query)
    sort = sort if sort in SORTS else "relevance"
    page = max(1, min(MAX_PAGE, page))
    messages = list(query.messages)
    backend = backend or get_backend()
    if query.is_empty:
        result, hits = EngineResult(total=0, documents=[]), []
    elif query.kind == "answer":
        result = backend.search(query, (page - 1) * per_page, per_page, sort)
        hits = [_hit(document, query, score) for document, score in _scored(result)]
    else:
        result, hits = _thread_page(backend, query, page, per_page, sort)
    if only_common_words(query):
        messages.append(_COMMON_WORDS_MESSAGE.format(words=", ".join(query.words)))
        if not hits:
            result, hits = _thread_page(backend, _best_voted(query), page, per_page, "votes")
    elif result.complete == 0 and result.total and len(query.words) > 1:
        messages.append("No post has all your words; these match most of them.")
    return SearchPage(
        query=query,
        hits=hits,
        total=result.total,
        number=page,
        per_page=per_page,
        sort=sort,
        took_ms=(time.perf_counter() - started) * 1000,
        facets=_facets(result, exclude=query.tags),
        suggestion=_suggestion(query, result, backend),
        messages=messages,
        estimated=result.estimated,
    )


_COMMON_WORDS_MESSAGE = (
    "Your search has only very common words ({words}), so these are the best-voted "
    "questions. Add a word that says what you are looking for, like salary or PhD."
)


def only_common_words(query: ParsedQuery) -> bool:
    return (
        bool(query.words)
        and not (query.required_words or query.phrases)
        and all(word in QUERY_STOP_WORDS for word in query.words)
    )


def _best_voted(query: ParsedQuery) -> ParsedQuery:
    """The query's filters without its words: what to show for a query of stop words."""
    return replace(
        query, words=[], expansions={}, boost_tags=[], kind=query.kind or "question", messages=[]
    )


@dataclass
class _Thread:
    """A question (or experience post) and its answers that matched, best first."""

    key: int
    members: list[tuple[SearchDocument, float]]

    @property
    def best(self) -> tuple[SearchDocument, float]:
        return self.members[0]

    @property
    def head(self) -> SearchDocument | None:
        return next((d for d, _ in self.members if d.kind != "answer"), None)

    @property
    def matching_answers(self) -> int:
        return sum(1 for d, _ in self.members if d.kind == "answer")


def _threads(documents: list[SearchDocument], scores: list[float]) -> list[_Thread]:
    """Posts grouped by thread, in the order of each thread's best post."""
    threads: dict[int, _Thread] = {}
    for document, score in zip(documents, scores or [0.0] * len(documents), strict=False):
        key = document.parent_id if document.kind == "answer" else document.id
        if key in threads:
            threads[key].members.append((document, score))
        else:
            threads[key] = _Thread(key, [(document, score)])
    return list(threads.values())


def _thread_page(backend, query, page, per_page, sort) -> tuple[EngineResult, list[Hit]]:
    """One page of threads, grouped from a pool of the best posts (and of the closest in
    meaning, for a free-text query ranked by relevance)."""
    wanted = page * per_page
    pool = min(MAX_POOL, wanted * POOL_PER_RESULT)
    while True:
        result = backend.search(query, 0, pool, sort)
        threads = {thread.key: thread for thread in _threads(result.documents, result.scores)}
        exhausted = len(result.documents) < pool or result.total <= len(result.documents)
        if len(threads) >= wanted or exhausted or pool >= MAX_POOL:
            break
        pool = min(MAX_POOL, pool * POOL_GROWTH)
    if result.total > len(result.documents):  # the pool did not hold every match
        result.total = max(len(threads), round(result.total * len(threads) / pool))
        result.estimated = True
    else:
        result.total = len(threads)
    order, by_meaning = list(threads), {}
    if sort == "relevance" and result.scores:
        order = freshness.fresher_first_on_ties([(k, t.best[1]) for k, t in threads.items()])
    if sort == "relevance" and query.is_free_text and _semantic_enabled():
        order, by_meaning = _with_meaning(backend, query, order, wanted)
        result.total += len(by_meaning)
    originals = duplicate_originals(order)
    if sort == "relevance" and originals:
        order, brought = _originals_first(backend, query, order, originals)
        result.total += len(brought)
    else:
        brought = {}
    chosen = order[wanted - per_page : wanted]
    missing = [
        key
        for key in chosen
        if key not in by_meaning and key not in brought and threads[key].head is None
    ]
    heads = {**backend.get_documents(missing), **by_meaning}
    hits = [
        _thread_hit(threads[key], heads.get(key), query)
        if key in threads
        else _hit(brought[key], query, 0.0)
        if key in brought
        else _meaning_hit(by_meaning[key], query)
        for key in chosen
    ]
    for hit in hits:
        if hit.kind == "question":
            hit.duplicate_of = originals.get(hit.id)
    return result, hits


def duplicate_originals(keys: list[int]) -> dict[int, Original]:
    """{question id: its original} for the questions among ``keys`` closed as duplicates.

    One query: the index does not hold closing, which changes without a re-index of the
    original; imported duplicate links that closed nothing are left out.
    """
    from django.urls import reverse

    from kb.models import Post, PostLink

    if not keys:
        return {}
    rows = (
        PostLink.objects.filter(
            kind=PostLink.Kind.DUPLICATE,
            from_post_id__in=keys,
            from_post__close_reason=Post.CloseReason.DUPLICATE,
            to_post__is_deleted=False,
            to_post__held_reason="",
        )
        .order_by("created_at", "id")
        .values_list("from_post_id", "to_post_id", "to_post__title", "to_post__slug")
    )
    return {
        duplicate: Original(original, title, reverse("kb:question-detail", args=[original, slug]))
        for duplicate, original, title, slug in rows
    }


def _originals_first(backend, query, order: list[int], originals: dict[int, Original]):
    """The order with each duplicate right below its original: an original the words did
    not find is brought in above its duplicate (when it passes the query's filters).

    Returns the new order and the documents of the originals brought in.
    """
    present = set(order)
    wanted = [o.id for o in originals.values() if o.id not in present]
    found = backend.get_documents(wanted) if wanted else {}
    brought = {key: doc for key, doc in found.items() if matches_filters(doc, query)}
    waiting: dict[int, list[int]] = {}  # original -> its duplicates held back until it shows
    for key in order:
        original = originals.get(key)
        if original and (original.id in present or original.id in brought):
            waiting.setdefault(original.id, []).append(key)
    placed: dict[int, None] = {}  # ordered, with fast membership

    def place(key: int) -> None:
        placed[key] = None
        for duplicate in waiting.pop(key, []):
            place(duplicate)

    for key in order:
        original = originals.get(key)
        if original and original.id in waiting and key in waiting[original.id]:
            if original.id in brought and original.id not in placed:
                place(original.id)
            continue  # placed below its original
        if key not in placed:
            place(key)
    # Duplicates whose chain never reached a placed question (a cycle) keep their place.
    placed.update(dict.fromkeys(order))
    return list(placed), brought


def _semantic_enabled() -> bool:
    from kb.search import vectors

    return vectors.enabled()


def _with_meaning(backend, query, lexical: list[int], wanted: int):
    """The lexical threads fused with the posts closest in meaning to the query.

    Returns the fused order of thread keys and the documents of the threads only meaning
    found (checked against the query's filters; deleted posts are not in the index).
    """
    from kb.search import fusion, vectors

    kinds = [query.kind] if query.kind else list(vectors.KINDS)
    try:
        close = vectors.nearest_to_text(
            _free_text(query), min(MAX_POOL, max(30, wanted * 2)), kinds
        )
    except Exception:  # the words still work without the meaning
        logger.exception("Semantic search failed for %r", query.raw[:200])
        return lexical, {}
    known = set(lexical)
    found = backend.get_documents([key for key, _ in close if key not in known])
    new = {key: doc for key, doc in found.items() if matches_filters(doc, query)}
    close = [(key, similarity) for key, similarity in close if key in known or key in new]
    order = freshness.fresher_first_on_ties(fusion.blend(lexical, close))
    return order, {key: doc for key, doc in new.items() if key in set(order)}


def _free_text(query: ParsedQuery) -> str:
    """What the user typed, without the operators, and what its slang means: to embed."""
    text = _OPERATORS.sub(" ", query.raw).strip()
    if query.meaning_hints:
        text += f" ({', '.join(query.meaning_hints)})"
    return text


_OPERATORS = re.compile(r"(?:\S+:\S+|-?\[[^\]]*\]?)")


def matches_filters(document: SearchDocument, query: ParsedQuery) -> bool:
    """Whether a document passes the query's filters (tags, kind, author, counts)."""
    return (
        all(tag in document.tags for tag in query.tags)
        and not any(tag in document.tags for tag in query.excluded_tags)
        and (query.kind is None or document.kind == query.kind)
        and (query.user is None or document.author == query.user.lower())
        and (query.min_score is None or document.score >= query.min_score)
        and (
            query.answers is None
            or (
                document.answer_count == 0
                if query.answers == 0
                else document.answer_count >= query.answers
            )
        )
        and (query.accepted is None or document.accepted == query.accepted)
    )


def _meaning_hit(document: SearchDocument, query: ParsedQuery) -> Hit:
    hit = _hit(document, query, 0.0)
    hit.by_meaning = True
    return hit


def _thread_hit(thread: _Thread, head: SearchDocument | None, query: ParsedQuery) -> Hit:
    best, score = thread.best
    head = thread.head or head or best
    hit = _hit(head, query, score)
    hit.matching_answers = thread.matching_answers
    if best is not head:  # the best words are in an answer: show them
        hit.snippet = mark_safe(highlight(best.body, query.positive_terms))
        hit.snippet_from_answer = True
    return hit


def _scored(result: EngineResult):
    scores = result.scores or [0.0] * len(result.documents)
    return zip(result.documents, scores, strict=False)


def _hit(document: SearchDocument, query: ParsedQuery, relevance: float) -> Hit:
    terms = query.positive_terms
    return Hit(
        id=document.id,
        kind=document.kind,
        title=document.display_title,
        url=document.url,
        snippet=mark_safe(highlight(document.body, terms)),
        title_html=mark_safe(highlight(document.display_title, terms, length=400)),
        tags=document.tags,
        score=document.score,
        answer_count=document.answer_count,
        accepted=document.accepted,
        created_at=document.created_at,
        author=document.author,
        author_name=document.author_name,
        parent_id=document.parent_id,
        relevance=relevance,
    )


def _facets(result: EngineResult, exclude: list[str]) -> list[tuple[str, int]]:
    if result.facet_counts is not None:
        counts = Counter({tag: n for tag, n in result.facet_counts if tag not in exclude})
    else:
        counts = Counter(t for tags in result.facet_tags for t in tags if t not in exclude)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:FACET_LIMIT]


def _suggestion(query: ParsedQuery, result: EngineResult, backend: SearchBackend) -> str | None:
    """The raw query with words the index does not know corrected ("did you mean").

    Only when some post lacks a word (no complete match), never for stop words or
    words in the index, and only when the corrected query finds more.
    """
    if not query.scored_words or (result.complete or 0) > 0:
        return None
    if result.complete is None and result.total:
        return None
    raw = query.raw
    for word in query.scored_words:
        if word in QUERY_STOP_WORDS or not word.isalpha() or backend.knows_word(word):
            continue
        better = backend.suggest_word(word)
        if better and better != word:
            raw = _replace_word(raw, word, better)
    if raw == query.raw:
        return None
    corrected = backend.search(parse(raw, resolve_tags=query.resolve_tags), 0, 1, "relevance")
    found = (result.complete or 0, result.total)
    return raw if (corrected.complete or 0, corrected.total) > found else None


def _replace_word(raw: str, word: str, better: str) -> str:
    import re

    return re.sub(rf"(?i)(?<!\w){re.escape(word)}(?!\w)", better, raw, count=1)


# --- related posts ------------------------------------------------------------------------

_MLT_BODY_TERMS = 12


def _key_words(title: str, body: str = "") -> dict[str, float]:
    """The words that say what a post is about: its title, then its body's frequent words."""
    from kb.search.text import STOP_WORDS, words_of

    weights: dict[str, float] = {}
    for word in words_of(title):
        if word not in STOP_WORDS and len(word) > 2:
            weights[word] = 2.0
    body_counts = Counter(w for w in words_of(body) if w not in STOP_WORDS and len(w) > 3)
    for word, _count in body_counts.most_common(_MLT_BODY_TERMS):
        weights.setdefault(word, 1.0)
    return dict(list(weights.items())[:24])


def more_like_this(post, n: int = 5) -> list[SearchDocument]:
    """Up to ``n`` questions on the same subject as ``post``; never itself or deleted ones.

    The questions sharing its key words, fused with the questions closest in meaning.
    """
    from kb.search import vectors

    document = document_for(post)
    if document is None:
        return []
    words = _key_words(document.display_title, document.body)
    exclude = document.parent_id if document.kind == "answer" else document.id
    backend = get_backend()
    lexical = backend.similar(words, exclude_id=exclude, kind="question", n=n * 3) if words else []
    close = _safely(lambda: vectors.nearest_to_post(exclude, n * 3, ["question"]))
    return _fused_documents(backend, lexical, close, n)


def related_questions(post, n: int = 5) -> list[SearchDocument]:
    """more_like_this for the question page's sidebar: a failure hides the box, not the page.

    Use: ``context["related_questions"] = search.related_questions(question)`` and
    ``{% include "kb/includes/related_questions.html" %}`` in the sidebar.
    """
    try:
        return more_like_this(post, n)
    except Exception:
        logger.exception("Related questions failed for post %s", post.pk)
        return []


def similar_to_title(title: str, n: int = 5) -> list[SearchDocument]:
    """Questions that resemble what someone is typing on the ask form, in words or meaning."""
    from kb.search import vectors

    title = title[:300]
    words = _key_words(title)
    backend = get_backend()
    lexical = backend.similar(words, exclude_id=None, kind="question", n=n * 3) if words else []
    close = _safely(lambda: vectors.nearest_to_text(title, n * 3, ["question"]))
    return _fused_documents(backend, lexical, close, n)


def _safely(find: Callable[[], list]) -> list:
    """The semantic side's answer, or nothing when it fails: the words still work."""
    try:
        return find()
    except Exception:
        logger.exception("Semantic lookup failed")
        return []


def _fused_documents(backend, lexical: list[tuple[SearchDocument, float]], close, n: int):
    """The best ``n`` of both rankings; documents only meaning found are read from the index
    (so a deleted post, which the index no longer holds, never comes back)."""
    from kb.search import fusion

    documents = {document.id: document for document, _ in lexical}
    order = freshness.fresher_first_on_ties(
        fusion.blend(
            [document.id for document, _ in lexical],
            close,
            lexical_scores=[score for _, score in lexical],
        )
    )
    documents.update(backend.get_documents([key for key in order[: n * 2] if key not in documents]))
    return [documents[key] for key in order if key in documents][:n]


def utc_from_timestamp(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)
