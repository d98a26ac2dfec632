"""PostgreSQL engine: full-text search in the database, for sites with several web hosts.

One row per visible post in ``kb_searchdocument`` (created by migration
``kb/migrations/*_search_document.py`` on PostgreSQL only): the display fields, the tags
as an array, and a ``tsvector`` weighting the title (A) above the question's title for
answers (C) and the body (D), with GIN indexes on both. Queries are built from the
parsed words with ``plainto_tsquery``/``phraseto_tsquery`` and bound parameters only, so
nothing a user types becomes SQL or tsquery syntax.

What keeps a search fast at 100,000 posts and more (measured with ``manage.py bench_search``):

- ``shingles``: the adjacent lexeme pairs of the vector ("machin learn"), GIN indexed. A
  phrase first narrows to the posts holding all its pairs; only those few are verified
  with ``phraseto_tsquery``, instead of every post holding its words. The pairs are
  computed from the stored vector in SQL, so they agree with PostgreSQL's own parser,
  stemmer and positions: the narrowing never misses a phrase match.
- Counts above ``COUNT_CAP`` are the planner's estimate (the page says "about"); exact
  counts below it use the bitmap indexes.
- Relevance ranks at most ``POOL`` posts per tier (title matches, then body matches), the
  newest ones, so a frequent word never ranks every post (``MAX_PAGE`` pages show 1,000
  results at most). The title tier reads no body vector.
- Finding a tier's pool, the planner is steered (``_steer``) between the GIN bitmap and a
  walk down the created_at index: it does not know that checking a vector reads TOAST.
- ``rebuild()`` makes the big GIN indexes after the load, then runs VACUUM ANALYZE.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field

from kb.search import EngineResult, SearchBackend
from kb.search.documents import SearchDocument, document_from_row
from kb.search.query import ParsedQuery
from kb.search.text import STOP_WORDS, closest_word

TABLE = "kb_searchdocument"
FACET_SAMPLE = 100
COUNT_CAP = 1000  # exact counts up to here, the planner's estimate above ("about")
POOL = 1000  # posts ranked per relevance tier: MAX_PAGE * PER_PAGE are ever shown
PHRASE_BONUS = 0.5  # the query's words side by side rank above the same words scattered
# A partial match scores each word it holds 1, and TITLE_WEIGHT more when its title holds
# it (a title naming the word beats a body repeating it); a tag the words name adds
# TAG_WEIGHT, an expansion its weight. Complete matches rank TAG_BONUS higher with the tag.
TITLE_WEIGHT = 1.5
TAG_WEIGHT = 1.5
TAG_BONUS = 0.3
PAIR_BUCKETS = 1 << 20  # hashed word pairs (shingles): a power of two
SORT_ORDER = {
    "relevance": "rank DESC, created_at DESC",
    "newest": "created_at DESC, post_id DESC",
    "votes": "score DESC, created_at DESC",
}
VOCABULARY_SECONDS = 600
VECTOR_CHECK = 10  # checking a vector (read from TOAST) costs about ten row visits
TOAST_TUPLE_TARGET = 512  # body, vector and shingles out of line: the rows scans visit stay small
BULK_INDEXES = ("vector", "shingles")  # the big GIN indexes rebuild() makes after the load
BULK_INDEX_MEMORY = "256MB"  # maintenance_work_mem while rebuild() makes them
_COLUMNS = (
    "post_id, kind, title, body, url, tags, author, author_name, score, answer_count, "
    "accepted, created_at, parent_id, parent_title"
)
_VECTOR_SQL = (
    "setweight(to_tsvector('english', %(title_words)s::text), 'A') || "
    "setweight(to_tsvector('english', %(parent_title_words)s::text), 'C') || "
    "setweight(to_tsvector('english', %(body_words)s::text), 'D')"
)
# Snowball folds these into another word's stem ("quite" -> "quit"). PostgreSQL's english
# configuration cannot be told otherwise without files on the server, so the text is
# indexed (and queried) with a stop word in their place: the word is left out, its
# position stays, so phrases around it still line up.
UNSTEMMED_OUT = ("quite",)
_UNSTEMMED_RE = re.compile(r"(?<!\w)(?:" + "|".join(UNSTEMMED_OUT) + r")(?!\w)", re.IGNORECASE)


def indexed_text(text: str) -> str:
    """The text as it goes to ``to_tsvector``: the words of ``UNSTEMMED_OUT`` left out."""
    return _UNSTEMMED_RE.sub("the", text)


def pairs_sql(vector: str) -> str:
    """SQL for the adjacent lexeme pairs of a tsvector expression, hashed: integer[].

    Built from the vector's own positions, so a post holds the pair of every two lexemes
    ``phraseto_tsquery`` wants side by side (``'a' <-> 'b'``): narrowing by pairs never
    misses a phrase match. Pairs are hashed into ``PAIR_BUCKETS`` buckets to keep the GIN
    index small; a shared bucket only adds a few candidates, which verification drops.
    ``hashtext`` is stable across PostgreSQL versions (hash partitioning relies on it).
    Migration 0005 holds a frozen copy: change both, and re-index, or phrases miss posts.
    """
    return f"""ARRAY(
        WITH token AS (SELECT lexeme, unnest(positions) AS pos FROM unnest({vector}))
        SELECT DISTINCT hashtext(a.lexeme || ' ' || b.lexeme) & {PAIR_BUCKETS - 1}
        FROM token a JOIN token b ON b.pos = a.pos + 1)"""


def create_table_sql(table: str = TABLE) -> list[str]:
    _check_name(table)
    name = table.rsplit(".", 1)[-1]  # index names take no schema
    return [
        f"""CREATE TABLE IF NOT EXISTS {table} (
            post_id bigint PRIMARY KEY,
            kind varchar(10) NOT NULL,
            title text NOT NULL,
            body text NOT NULL,
            url text NOT NULL,
            tags text[] NOT NULL,
            author varchar(150) NOT NULL,
            author_name text NOT NULL,
            score integer NOT NULL,
            answer_count integer NOT NULL,
            accepted boolean NOT NULL,
            created_at timestamptz NOT NULL,
            parent_id bigint NULL,
            parent_title text NOT NULL,
            fingerprint varchar(16) NOT NULL,
            vector tsvector NOT NULL,
            title_vector tsvector NOT NULL,
            shingles integer[] NOT NULL DEFAULT '{{}}'
        ) WITH (toast_tuple_target = {TOAST_TUPLE_TARGET})""",
        f"ALTER TABLE {table} SET (toast_tuple_target = {TOAST_TUPLE_TARGET})",
        # A table made before the shingles (rebuild() refills it right after).
        f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS shingles integer[] NOT NULL DEFAULT '{{}}'",
        f"CREATE INDEX IF NOT EXISTS {name}_vector ON {table} USING gin (vector)",
        f"CREATE INDEX IF NOT EXISTS {name}_shingles ON {table} USING gin (shingles)",
        f"CREATE INDEX IF NOT EXISTS {name}_title ON {table} USING gin (title_vector)",
        f"CREATE INDEX IF NOT EXISTS {name}_tags ON {table} USING gin (tags)",
        f"CREATE INDEX IF NOT EXISTS {name}_created ON {table} (created_at DESC)",
        f"CREATE INDEX IF NOT EXISTS {name}_score ON {table} (score DESC)",
    ]


@dataclass
class _Conditions:
    """A parsed query as SQL fragments with their parameters, in the order they appear.

    Typed words are a best match: a post needs one of them, an expansion or a tag they
    name (``best``); the posts with all of them (``every``) rank first. Required words,
    phrases (``strict``) and the filters must all hold.
    """

    match: list[str] = field(default_factory=list)  # what a found post matches
    match_params: list = field(default_factory=list)
    filters: list[str] = field(default_factory=list)  # exclusions, tags, kind, user…
    filter_params: list = field(default_factory=list)
    tsquery: str | None = None  # every typed word, +word and phrase: what ranks complete posts
    ts_params: list = field(default_factory=list)
    complete: list[str] = field(default_factory=list)  # a post with all of them
    complete_params: list = field(default_factory=list)
    bonus: str | None = None  # the words side by side (a condition)
    bonus_params: list = field(default_factory=list)
    estimate: list[str] = field(default_factory=list)  # what the count estimate uses
    estimate_params: list = field(default_factory=list)
    phrases: bool = False  # the query has a phrase
    best_match: bool = False  # typed words: partial matches are found too
    words: list[str] = field(default_factory=list)  # the typed words the index can hold
    expansions: dict[str, float] = field(default_factory=dict)
    boost_tags: list[str] = field(default_factory=list)
    strict: list[str] = field(default_factory=list)  # +words and phrases
    strict_params: list = field(default_factory=list)
    best: str | None = None  # any typed word, expansion or named tag (a condition)
    best_params: list = field(default_factory=list)
    nothing: bool = False  # typed words, none of which any post can hold

    def where(self, conditions: list[str], params: list) -> tuple[str, list]:
        """These conditions and the filters, ANDed; empty when there is nothing to match."""
        if not conditions and not self.filters:
            return "", []
        return " AND ".join([*conditions, *self.filters]), [*params, *self.filter_params]


@contextmanager
def _planner(cursor, **settings: str):
    """Planner settings for the statements inside, then the previous values again."""
    if not settings:
        yield
        return
    names = list(settings)
    current = ", ".join(["current_setting(%s)"] * len(names))
    changes = ", ".join(["set_config(%s, %s, false)"] * len(names))
    cursor.execute(
        f"SELECT {current}, {changes}",
        [*names, *[part for item in settings.items() for part in item]],
    )
    previous = cursor.fetchone()[: len(names)]
    try:
        yield
    finally:
        restore = ", ".join(["set_config(%s, %s, false)"] * len(names))
        cursor.execute(
            f"SELECT {restore}",
            [part for item in zip(names, previous, strict=True) for part in item],
        )


def _check_name(table: str) -> None:
    if not re.fullmatch(r"[a-z_][a-z0-9_.]*", table):
        raise ValueError(f"Bad table name {table!r}")


def _django_connection():
    from django.db import connection

    return connection


class PostgresBackend(SearchBackend):
    name = "postgres"

    def __init__(self, connection_factory: Callable | None = None, table: str = TABLE):
        _check_name(table)
        self.table = table
        self._connection_factory = connection_factory or _django_connection
        self._vocabulary: tuple[float, set[str]] | None = None
        self._row_count: tuple[float, int] | None = None
        self._lock = threading.Lock()

    @contextmanager
    def _cursor(self):
        connection = self._connection_factory()
        if getattr(connection, "vendor", "postgresql") != "postgresql":
            raise RuntimeError("The postgres search backend needs KB_DATABASE_URL=postgres://…")
        with connection.cursor() as cursor:
            yield cursor

    def exists(self) -> bool:
        with self._cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [self.table])
            return cursor.fetchone()[0]

    def create_table(self) -> None:
        with self._cursor() as cursor:
            for statement in create_table_sql(self.table):
                cursor.execute(statement)

    # --- writing ------------------------------------------------------------------------

    def _upsert_sql(self) -> str:
        # INSERT … SELECT: the vector is computed once, for itself and for its pairs.
        return f"""
            INSERT INTO {self.table} ({_COLUMNS}, fingerprint, vector, title_vector, shingles)
            SELECT %(id)s::bigint, %(kind)s::text, %(title)s::text, %(body)s::text,
                   %(url)s::text, %(tags)s::text[], %(author)s::text, %(author_name)s::text,
                   %(score)s::integer, %(answer_count)s::integer, %(accepted)s::boolean,
                   %(created_at)s::timestamptz, %(parent_id)s::bigint, %(parent_title)s::text,
                   %(fingerprint)s::text, made.vector,
                   to_tsvector('english', %(title_words)s::text),
                   {pairs_sql("made.vector")}
            FROM (SELECT {_VECTOR_SQL} AS vector) made
            ON CONFLICT (post_id) DO UPDATE SET
                kind = EXCLUDED.kind, title = EXCLUDED.title, body = EXCLUDED.body,
                url = EXCLUDED.url, tags = EXCLUDED.tags, author = EXCLUDED.author,
                author_name = EXCLUDED.author_name, score = EXCLUDED.score,
                answer_count = EXCLUDED.answer_count, accepted = EXCLUDED.accepted,
                created_at = EXCLUDED.created_at, parent_id = EXCLUDED.parent_id,
                parent_title = EXCLUDED.parent_title, fingerprint = EXCLUDED.fingerprint,
                vector = EXCLUDED.vector, title_vector = EXCLUDED.title_vector,
                shingles = EXCLUDED.shingles
        """

    @staticmethod
    def _params(document: SearchDocument) -> dict:
        return {
            "id": document.id,
            "kind": document.kind,
            "title": document.title,
            "body": document.body,
            "url": document.url,
            "tags": list(document.tags),
            "author": document.author,
            "author_name": document.author_name,
            "score": document.score,
            "answer_count": document.answer_count,
            "accepted": document.accepted,
            "created_at": document.created_at,
            "parent_id": document.parent_id,
            "parent_title": document.parent_title,
            "fingerprint": document.fingerprint,
            "title_words": indexed_text(document.title),
            "parent_title_words": indexed_text(document.parent_title),
            "body_words": indexed_text(document.body),
        }

    def index_documents(self, documents: list[SearchDocument]) -> None:
        # An upsert per row: concurrent writers never lose each other's rows.
        with self._cursor() as cursor:
            cursor.executemany(self._upsert_sql(), [self._params(d) for d in documents])

    def remove_ids(self, post_ids: list[int]) -> None:
        with self._cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table} WHERE post_id = ANY(%s)", [list(post_ids)])

    def rebuild(
        self, documents: Iterable[SearchDocument], progress: Callable[[int], None] | None = None
    ) -> int:
        self.create_table()
        with self._cursor() as cursor:
            cursor.execute(f"TRUNCATE {self.table}")
            # A GIN index built once after the load is much faster than one kept up to
            # date row by row (PostgreSQL's advice for bulk loads); the table is empty now.
            for suffix in BULK_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {self.table}_{suffix}")
        count = 0
        try:
            batch: list[SearchDocument] = []
            for document in documents:
                batch.append(document)
                if len(batch) >= 500:
                    count += self._flush(batch, progress)
            count += self._flush(batch, progress)
        finally:
            with self._cursor() as cursor:
                cursor.execute(f"SET maintenance_work_mem = '{BULK_INDEX_MEMORY}'")
                try:
                    for statement in create_table_sql(self.table):
                        cursor.execute(statement)
                finally:
                    cursor.execute("RESET maintenance_work_mem")
        self._vacuum_analyze()
        return count

    def _vacuum_analyze(self) -> None:
        """Fresh planner statistics (the count estimates and plans rest on them) and, when
        possible, VACUUM too: it marks the pages all-visible, so bitmap counts skip them.
        VACUUM cannot run inside a transaction block (tests, atomic requests): ANALYZE then.
        """
        with self._cursor() as cursor:
            raw = getattr(cursor, "connection", None)  # the psycopg connection
            status = getattr(getattr(raw, "info", None), "transaction_status", None)
            idle = status is not None and status.name == "IDLE" and raw.autocommit
            cursor.execute(f"{'VACUUM ' if idle else ''}ANALYZE {self.table}")

    def _flush(self, batch: list[SearchDocument], progress) -> int:
        if not batch:
            return 0
        self.index_documents(batch)
        done = len(batch)
        if progress:
            progress(done)
        batch.clear()
        return done

    # --- reading ------------------------------------------------------------------------

    def _pairs(self, cursor, texts: list[str]) -> list[list[int]]:
        """Each text's adjacent-pair buckets, computed as the shingles column's are."""
        if not texts:
            return []
        columns = ", ".join(pairs_sql("to_tsvector('english', %s::text)") for _ in texts)
        cursor.execute(f"SELECT {columns}", texts)
        return [sorted(pairs) for pairs in cursor.fetchone()]

    @staticmethod
    def _indexable(cursor, words: list[str]) -> list[str]:
        """The words that leave a lexeme: a stop word of PostgreSQL's could match no post."""
        if not words:
            return []
        columns = ", ".join(["length(to_tsvector('english', %s::text)) > 0"] * len(words))
        cursor.execute(f"SELECT {columns}", words)
        return [word for word, kept in zip(words, cursor.fetchone(), strict=True) if kept]

    def _conditions(self, query: ParsedQuery, cursor) -> _Conditions:
        """The query as SQL: what must match the text, the filters, and what ranks."""
        found = _Conditions(best_match=bool(query.words), boost_tags=list(query.boost_tags))
        typed = list(dict.fromkeys(indexed_text(word) for word in query.words))
        expansions = {
            indexed_text(word): weight
            for word, weight in query.expansions.items()
            if indexed_text(word) not in typed
        }
        indexable = set(self._indexable(cursor, [*typed, *expansions]))
        found.words = [word for word in typed if word in indexable]
        found.expansions = {w: weight for w, weight in expansions.items() if w in indexable}
        if found.best_match and not (found.words or found.expansions or found.boost_tags):
            found.nothing = True
            return found
        required = [indexed_text(word) for word in query.required_words]
        phrases = [indexed_text(" ".join(phrase)) for phrase in query.phrases]
        found.phrases = bool(phrases)
        strict_queries = ["plainto_tsquery('english', %s)"] * len(required)
        strict_queries += ["phraseto_tsquery('english', %s)"] * len(phrases)
        strict_params = [*required, *phrases]
        meaningful = [w for w in found.words if w not in STOP_WORDS]
        side_by_side = " ".join(meaningful) if len(meaningful) > 1 else None
        pairs = self._pairs(cursor, phrases + ([side_by_side] if side_by_side else []))
        if strict_queries:
            found.strict.append(f"vector @@ ({' && '.join(strict_queries)})")
            found.strict_params += strict_params
        # Narrow first: only posts holding every pair of a phrase can hold the phrase;
        # ``vector @@ phraseto_tsquery`` then verifies those few (and bucket collisions).
        narrowing = sorted(
            {bucket for phrase_pairs in pairs[: len(phrases)] for bucket in phrase_pairs}
        )
        if narrowing:
            found.strict.append("shingles @> %s::integer[]")
            found.strict_params.append(narrowing)
        if not found.best_match or found.words:
            # Every word, +word and phrase: the whole match of a plain query, the complete
            # posts of a best match.
            queries = ["plainto_tsquery('english', %s)"] * len(found.words) + strict_queries
            found.tsquery = " && ".join(queries) if queries else None
            found.ts_params = [*found.words, *strict_params]
            if found.tsquery:
                found.complete = [f"vector @@ ({found.tsquery})"]
                found.complete_params = list(found.ts_params)
                if narrowing:
                    found.complete.append("shingles @> %s::integer[]")
                    found.complete_params.append(narrowing)
        if found.best_match:
            alternatives, params = [], []
            some = ["plainto_tsquery('english', %s)"] * (len(found.words) + len(found.expansions))
            if some:
                alternatives.append(f"vector @@ ({' || '.join(some)})")
                params += [*found.words, *found.expansions]
            if found.boost_tags:
                alternatives.append("tags && %s::text[]")
                params.append(found.boost_tags)
            found.best = f"({' OR '.join(alternatives)})"
            found.best_params = params
            found.match = [*found.strict, found.best]
            found.match_params = [*found.strict_params, *params]
        else:
            found.match, found.match_params = found.complete, found.complete_params
        if narrowing:
            # What the planner estimates the count from: the pairs and the words (it
            # cannot tell how rare a phrase is, it multiplies its words' frequencies).
            found.estimate = ["shingles @> %s::integer[]"]
            found.estimate_params = [narrowing]
            if required:
                words = " && ".join(["plainto_tsquery('english', %s)"] * len(required))
                found.estimate.append(f"vector @@ ({words})")
                found.estimate_params += required
            if found.best:
                found.estimate.append(found.best)
                found.estimate_params += found.best_params
        if side_by_side:
            # Words next to each other in the text rank above the same words scattered.
            found.bonus = "vector @@ phraseto_tsquery('english', %s)"
            found.bonus_params = [side_by_side]
            if pairs[-1]:
                # The posts with the pairs, from the index, once (a hashed subplan): most
                # ranked posts lack them, and only the others have their vector checked.
                found.bonus = (
                    f"post_id IN (SELECT post_id FROM {self.table} "
                    f"WHERE shingles @> %s::integer[]) AND {found.bonus}"
                )
                found.bonus_params.insert(0, pairs[-1])
        filters, params = found.filters, found.filter_params
        for word in query.excluded_words:
            filters.append("NOT vector @@ plainto_tsquery('english', %s)")
            params.append(indexed_text(word))
        for phrase in query.excluded_phrases:
            filters.append("NOT vector @@ phraseto_tsquery('english', %s)")
            params.append(indexed_text(" ".join(phrase)))
        if query.tags:
            filters.append("tags @> %s")
            params.append(list(query.tags))
        if query.excluded_tags:
            filters.append("NOT tags && %s")
            params.append(list(query.excluded_tags))
        if query.kind:
            filters.append("kind = %s")
            params.append(query.kind)
        if query.user:
            filters.append("author = %s")
            params.append(query.user.lower())
        if query.min_score is not None:
            filters.append("score >= %s")
            params.append(query.min_score)
        if query.answers is not None:
            filters.append("answer_count = 0" if query.answers == 0 else "answer_count >= %s")
            if query.answers:
                params.append(query.answers)
        if query.accepted is not None:
            filters.append("accepted = %s")
            params.append(query.accepted)
        return found

    def search(self, query: ParsedQuery, offset: int, limit: int, sort: str) -> EngineResult:
        none = EngineResult(total=0, documents=[], complete=0 if query.words else None)
        with self._cursor() as cursor:
            found = self._conditions(query, cursor)
            if found.nothing:
                return none
            where, params = found.where(found.match, found.match_params)
            if not where:
                return none
            total, estimated = self._count(
                cursor,
                found,
                found.match,
                found.match_params,
                (found.estimate, found.estimate_params) if found.estimate else None,
            )
            if not total:
                return none
            complete = None
            if sort == "relevance" and (found.tsquery or found.best):
                ranked, pooled, complete = self._ranked(cursor, found, offset, limit, total)
                if estimated and pooled is not None:
                    total, estimated = pooled, False  # every match was in the pools
            else:
                order = SORT_ORDER.get(sort, SORT_ORDER["relevance"])
                with _planner(
                    cursor,
                    **self._steer(
                        cursor,
                        total if found.match else None,
                        max(FACET_SAMPLE, offset + limit),
                        VECTOR_CHECK,
                    ),
                ):
                    cursor.execute(
                        f"""SELECT post_id, 0.0 AS rank, tags FROM {self.table} WHERE {where}
                            ORDER BY {order} LIMIT %s""",
                        [*params, max(FACET_SAMPLE, offset + limit)],
                    )
                    ranked = cursor.fetchall()
            if found.best_match and complete is None:
                complete = (
                    self._count(cursor, found, found.complete, found.complete_params)[0]
                    if found.complete
                    else 0
                )
            page = ranked[offset : offset + limit]
            documents = self._fetch([row[0] for row in page], cursor)
        return EngineResult(
            total=total,
            documents=[documents[row[0]] for row in page if row[0] in documents],
            scores=[float(row[1]) for row in page if row[0] in documents],
            facet_tags=[list(row[2]) for row in ranked[:FACET_SAMPLE]],
            estimated=estimated,
            complete=complete,
        )

    def _ranked(self, cursor, found: _Conditions, offset: int, limit: int, matches: int):
        """Relevance order as (post_id, rank, tags) rows, the match count when known, and
        the count of complete matches when known.

        Three tiers, each run only when the ones before do not fill the page: posts with
        every word in their title (title weight A against body D), posts with every word,
        then (a best match) posts with some of the words, an expansion or a named tag,
        ranked by how many words they hold and where. Each tier ranks its newest ``POOL``
        matches, never every match of a frequent word.
        """
        wanted = offset + limit
        pool = POOL  # the same pool for every page, so pages never overlap
        ranked: list[tuple] = []
        counts: list[int] = []  # each tier's pooled rows
        if found.tsquery:
            counts += self._complete_tiers(cursor, found, ranked, wanted, matches)
            if len(ranked) >= wanted:
                return ranked, None, None
        complete = sum(counts) if all(count < pool for count in counts) else None
        if found.best:
            counts.append(self._partial_tier(cursor, found, ranked, wanted, matches))
        exact = all(count < pool for count in counts)
        if found.best_match and not found.tsquery:
            complete = 0
        return ranked, (sum(counts) if exact else None), complete

    def _complete_tiers(self, cursor, found, ranked, wanted, matches) -> list[int]:
        """Posts with every word in the title, then the other posts with every word."""
        tsquery, ts_params = found.tsquery, found.ts_params
        tags = self._tag_bonus(found)
        in_title = f"title_vector @@ ({tsquery})"
        # A title match is a vector match (the title is in the vector): no vector is read.
        where, params = found.where([in_title], ts_params)
        pool = POOL
        # The planner takes a phrase for its words anywhere, so it expects many titles to
        # hold it and walks the created_at index through nearly all of them: a phrase
        # goes by the title index (posts with the words in their title), then positions.
        expected = 0 if found.phrases else self._estimate(cursor, where, params)
        with _planner(cursor, **self._steer(cursor, expected, pool, 1)):
            cursor.execute(
                f"""SELECT post_id, ts_rank(title_vector, ({tsquery})){tags[0]} + 2 AS rank,
                           tags, count(*) OVER () AS pooled
                    FROM (SELECT post_id, title_vector, tags, created_at FROM {self.table}
                          WHERE {where} ORDER BY created_at DESC, post_id DESC LIMIT %s) pool
                    ORDER BY rank DESC, created_at DESC, post_id DESC LIMIT %s""",
                [*ts_params, *tags[1], *params, pool, max(FACET_SAMPLE, wanted)],
            )
            title_rows = cursor.fetchall()
        ranked += [row[:3] for row in title_rows]
        in_titles = title_rows[0][3] if title_rows else 0
        if len(ranked) >= wanted:
            return [in_titles]
        where, params = found.where(
            [f"NOT {in_title}", *found.complete], ts_params + found.complete_params
        )
        bonus = f" + CASE WHEN {found.bonus} THEN {PHRASE_BONUS} ELSE 0 END" if found.bonus else ""
        with _planner(cursor, **self._steer(cursor, matches, pool, VECTOR_CHECK)):
            cursor.execute(
                f"""SELECT post_id, ts_rank(vector, ({tsquery})){bonus}{tags[0]} + 1 AS rank,
                           tags, count(*) OVER () AS pooled
                    FROM (SELECT post_id, vector, shingles, tags, created_at FROM {self.table}
                          WHERE {where} ORDER BY created_at DESC, post_id DESC LIMIT %s) pool
                    ORDER BY rank DESC, created_at DESC, post_id DESC LIMIT %s""",
                [
                    *ts_params,
                    *found.bonus_params,
                    *tags[1],
                    *params,
                    pool,
                    wanted - len(ranked),
                ],
            )
            body_rows = cursor.fetchall()
        ranked += [row[:3] for row in body_rows]
        return [in_titles, body_rows[0][3] if body_rows else 0]

    @staticmethod
    def _tag_bonus(found: _Conditions) -> tuple[str, list]:
        """SQL adding ``TAG_BONUS`` to the rank of a post with a tag the words name."""
        if not found.boost_tags:
            return "", []
        return f" + CASE WHEN tags && %s::text[] THEN {TAG_BONUS} ELSE 0 END", [found.boost_tags]

    def _partial_tier(self, cursor, found, ranked, wanted, matches) -> int:
        """Posts with some of the words: more words first, a title naming a word above a
        body repeating it, expansions and named tags adding less. Returns the pool's size.

        Each pooled vector is read from TOAST once (``vector || ''`` in a subquery the
        planner keeps), not once for every word checked in it.
        """
        conditions, params = [], []
        if found.words:
            every = " && ".join(["plainto_tsquery('english', %s)"] * len(found.words))
            # The complete posts from the index, once (a hashed subplan): few, or the
            # complete tiers would have filled the page.
            conditions.append(
                f"post_id NOT IN (SELECT post_id FROM {self.table} WHERE vector @@ ({every}))"
            )
            params += found.words
        where, params = found.where(
            [*conditions, found.best, *found.strict],
            [*params, *found.best_params, *found.strict_params],
        )
        word = "plainto_tsquery('english', %s)"
        present = " + ".join([f"(v @@ {word})::int"] * len(found.words)) or "0"
        extra = [f"{TITLE_WEIGHT} * (tv @@ {word})::int"] * len(found.words)
        extra += [f"%s * (v @@ {word})::int"] * len(found.expansions)
        extra_params = [*found.words]
        for expansion, weight in found.expansions.items():
            extra_params += [weight, expansion]
        if found.boost_tags:
            extra.append(f"{TAG_WEIGHT} * (tags && %s::text[])::int")
            extra_params.append(found.boost_tags)
        some = [word] * (len(found.words) + len(found.expansions))
        if some:
            extra.append(f"ts_rank(v, ({' || '.join(some)}))")
            extra_params += [*found.words, *found.expansions]
        with _planner(cursor, **self._steer(cursor, matches, POOL, VECTOR_CHECK)):
            cursor.execute(
                f"""SELECT post_id,
                           (present + extra) * (0.5 + 0.5 * present / %s::float8) AS rank,
                           tags, pooled
                    FROM (SELECT post_id, tags, created_at, pooled,
                                 {present} AS present, {" + ".join(extra)} AS extra
                          FROM (SELECT post_id, tags, created_at, count(*) OVER () AS pooled,
                                       vector || ''::tsvector AS v, title_vector AS tv
                                FROM (SELECT post_id, vector, title_vector, tags, created_at
                                      FROM {self.table} WHERE {where}
                                      ORDER BY created_at DESC, post_id DESC LIMIT %s) pool
                                OFFSET 0) detoasted
                          OFFSET 0) counted
                    ORDER BY rank DESC, created_at DESC, post_id DESC LIMIT %s""",
                [
                    max(1, len(found.words)),
                    *found.words,
                    *extra_params,
                    *params,
                    POOL,
                    wanted - len(ranked),
                ],
            )
            rows = cursor.fetchall()
        # Below 1, under every complete match.
        ranked += [(post_id, rank / (rank + 1), tags) for post_id, rank, tags, _ in rows]
        return rows[0][3] if rows else 0

    def _count(
        self, cursor, found: _Conditions, where: list[str], params: list, estimate=None
    ) -> tuple[int, bool]:
        """The exact count up to COUNT_CAP; above it the planner's estimate ("about").

        The estimate costs a millisecond where counting 100,000 matches costs hundreds
        (a count visits every matching row). ``estimate``: (conditions, params) the
        planner estimates better from, when not the conditions themselves.
        """
        sql, sql_params = found.where(where, params)
        expected = self._estimate(
            cursor, *(found.where(*estimate) if estimate else (sql, sql_params))
        )
        if expected > COUNT_CAP:
            return expected, True
        cursor.execute(f"SELECT count(*) FROM {self.table} WHERE {sql}", sql_params)
        return cursor.fetchone()[0], False

    def _steer(self, cursor, matches: int | None, wanted: int, check: int) -> dict[str, str]:
        """Planner settings for finding the first ``wanted`` of ``matches`` posts in
        created_at (or score) order, when checking a post costs ``check`` row visits.

        The planner does not know that checking a vector means reading it from TOAST, and
        it overrates reading cached pages: left alone, it walks the created_at index for a
        few matches among many posts, or scans the whole table. The GIN bitmap visits every
        match (no vector read); the index walk visits posts until ``wanted`` matched, each
        checked. A full scan never pays. ``None``: no text to match, no advice.
        """
        if matches is None:
            return {}
        walk = self._rows(cursor) * wanted / max(matches, 1) * check
        return {"enable_seqscan": "off", "enable_indexscan": "off" if matches <= walk else "on"}

    def _rows(self, cursor) -> int:
        """The table's row count as of the last ANALYZE, cached a while."""
        cached = self._row_count
        if cached and time.monotonic() - cached[0] < VOCABULARY_SECONDS:
            return cached[1]
        cursor.execute(
            "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass",
            [self.table],
        )
        rows = cursor.fetchone()[0]
        self._row_count = (time.monotonic(), rows)
        return rows

    def _estimate(self, cursor, where: str, params: list) -> int:
        """How many rows the planner expects to match: a millisecond, no row is read."""
        cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {self.table} WHERE {where}", params)
        plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return int(plan[0]["Plan"]["Plan Rows"])

    def _fetch(self, post_ids: list[int], cursor) -> dict[int, SearchDocument]:
        if not post_ids:
            return {}
        cursor.execute(
            f"SELECT {_COLUMNS} FROM {self.table} WHERE post_id = ANY(%s)", [list(post_ids)]
        )
        return {row[0]: document_from_row(row) for row in cursor.fetchall()}

    def get_documents(self, post_ids: list[int]) -> dict[int, SearchDocument]:
        with self._cursor() as cursor:
            return self._fetch(post_ids, cursor)

    def similar(
        self, weighted_words: dict[str, float], *, exclude_id: int | None, kind: str | None, n: int
    ) -> list[tuple[SearchDocument, float]]:
        words = list(dict.fromkeys(indexed_text(word) for word in weighted_words))
        if not words:
            return []
        any_word = " || ".join(["plainto_tsquery('english', %s)"] * len(words))
        conditions = [f"vector @@ ({any_word})"]
        params: list = list(words)
        if kind:
            conditions.append("kind = %s")
            params.append(kind)
        if exclude_id:
            conditions.append("post_id <> %s")
            params.append(exclude_id)
        with self._cursor() as cursor:
            cursor.execute(
                f"""SELECT {_COLUMNS}, ts_rank(vector, ({any_word})) AS rank
                    FROM {self.table} WHERE {" AND ".join(conditions)}
                    ORDER BY rank DESC, created_at DESC LIMIT %s""",
                [*words, *params, n],
            )
            return [(document_from_row(row[:-1]), row[-1]) for row in cursor.fetchall()]

    def knows_word(self, word: str) -> bool:
        """Whether a post holds the word; a word the index leaves out (a stop word of
        PostgreSQL's, "quite") counts as known: no correction would find it."""
        word = indexed_text(word)
        with self._cursor() as cursor:
            cursor.execute(
                f"""SELECT length(to_tsvector('english', %s::text)) = 0 OR EXISTS (
                        SELECT 1 FROM {self.table}
                        WHERE vector @@ plainto_tsquery('english', %s::text))""",
                [word, word],
            )
            return cursor.fetchone()[0]

    def suggest_word(self, word: str) -> str | None:
        if not word.isalpha():
            return None
        return closest_word(word, self._title_vocabulary())

    def _title_vocabulary(self) -> set[str]:
        """Every word of every title, cached a while: only misspelled searches need it."""
        with self._lock:
            if self._vocabulary and time.monotonic() - self._vocabulary[0] < VOCABULARY_SECONDS:
                return self._vocabulary[1]
        with self._cursor() as cursor:
            cursor.execute(
                "SELECT word FROM ts_stat(%s) WHERE length(word) > 2",
                [f"SELECT to_tsvector('simple', title) FROM {self.table}"],
            )
            words = {row[0] for row in cursor.fetchall()}
        with self._lock:
            self._vocabulary = (time.monotonic(), words)
        return words

    def fingerprints(self) -> dict[int, str]:
        with self._cursor() as cursor:
            cursor.execute(f"SELECT post_id, fingerprint FROM {self.table}")
            return dict(cursor.fetchall())
