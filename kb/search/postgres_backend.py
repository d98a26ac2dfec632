"""PostgreSQL engine: full-text search in the database, for sites with several web hosts.

One row per visible post in ``kb_searchdocument`` (created by migration
``kb/migrations/*_search_document.py`` on PostgreSQL only): the display fields, the tags
as an array, and a ``tsvector`` weighting the title (A) above the question's title for
answers (C) and the body (D), with GIN indexes on both. Queries are built from the
parsed words with ``plainto_tsquery``/``phraseto_tsquery`` and bound parameters only, so
nothing a user types becomes SQL or tsquery syntax.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager

from kb.search import EngineResult, SearchBackend
from kb.search.documents import SearchDocument
from kb.search.query import ParsedQuery
from kb.search.text import STOP_WORDS, closest_word

TABLE = "kb_searchdocument"
FACET_SAMPLE = 100
COUNT_CAP = 5000
SORT_ORDER = {
    "relevance": "rank DESC, created_at DESC",
    "newest": "created_at DESC, post_id DESC",
    "votes": "score DESC, created_at DESC",
}
VOCABULARY_SECONDS = 600
_COLUMNS = (
    "post_id, kind, title, body, url, tags, author, author_name, score, answer_count, "
    "accepted, created_at, parent_id, parent_title"
)
_VECTOR_SQL = (
    "setweight(to_tsvector('english', %(title)s), 'A') || "
    "setweight(to_tsvector('english', %(parent_title)s), 'C') || "
    "setweight(to_tsvector('english', %(body)s), 'D')"
)


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
            title_vector tsvector NOT NULL
        )""",
        f"CREATE INDEX IF NOT EXISTS {name}_vector ON {table} USING gin (vector)",
        f"CREATE INDEX IF NOT EXISTS {name}_title ON {table} USING gin (title_vector)",
        f"CREATE INDEX IF NOT EXISTS {name}_tags ON {table} USING gin (tags)",
        f"CREATE INDEX IF NOT EXISTS {name}_created ON {table} (created_at DESC)",
        f"CREATE INDEX IF NOT EXISTS {name}_score ON {table} (score DESC)",
    ]


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
        return f"""
            INSERT INTO {self.table} ({_COLUMNS}, fingerprint, vector, title_vector)
            VALUES (%(id)s, %(kind)s, %(title)s, %(body)s, %(url)s, %(tags)s, %(author)s,
                    %(author_name)s, %(score)s, %(answer_count)s, %(accepted)s,
                    %(created_at)s, %(parent_id)s, %(parent_title)s, %(fingerprint)s,
                    {_VECTOR_SQL}, to_tsvector('english', %(title)s))
            ON CONFLICT (post_id) DO UPDATE SET
                kind = EXCLUDED.kind, title = EXCLUDED.title, body = EXCLUDED.body,
                url = EXCLUDED.url, tags = EXCLUDED.tags, author = EXCLUDED.author,
                author_name = EXCLUDED.author_name, score = EXCLUDED.score,
                answer_count = EXCLUDED.answer_count, accepted = EXCLUDED.accepted,
                created_at = EXCLUDED.created_at, parent_id = EXCLUDED.parent_id,
                parent_title = EXCLUDED.parent_title, fingerprint = EXCLUDED.fingerprint,
                vector = EXCLUDED.vector, title_vector = EXCLUDED.title_vector
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
        count = 0
        batch: list[SearchDocument] = []
        for document in documents:
            batch.append(document)
            if len(batch) >= 500:
                count += self._flush(batch, progress)
        count += self._flush(batch, progress)
        with self._cursor() as cursor:
            cursor.execute(f"ANALYZE {self.table}")
        return count

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

    def _where(self, query: ParsedQuery) -> tuple[list[str], list, str | None, list]:
        """SQL conditions and their parameters, plus the tsquery expression for ranking."""
        parts, params = [], []
        tsqueries, ts_params = [], []
        for word in query.words:
            tsqueries.append("plainto_tsquery('english', %s)")
            ts_params.append(word)
        for phrase in query.phrases:
            tsqueries.append("phraseto_tsquery('english', %s)")
            ts_params.append(" ".join(phrase))
        tsquery = " && ".join(tsqueries) if tsqueries else None
        if tsquery:
            parts.append(f"vector @@ ({tsquery})")
            params += ts_params
        for word in query.excluded_words:
            parts.append("NOT vector @@ plainto_tsquery('english', %s)")
            params.append(word)
        for phrase in query.excluded_phrases:
            parts.append("NOT vector @@ phraseto_tsquery('english', %s)")
            params.append(" ".join(phrase))
        if query.tags:
            parts.append("tags @> %s")
            params.append(list(query.tags))
        if query.excluded_tags:
            parts.append("NOT tags && %s")
            params.append(list(query.excluded_tags))
        if query.kind:
            parts.append("kind = %s")
            params.append(query.kind)
        if query.user:
            parts.append("author = %s")
            params.append(query.user.lower())
        if query.min_score is not None:
            parts.append("score >= %s")
            params.append(query.min_score)
        if query.answers is not None:
            parts.append("answer_count = 0" if query.answers == 0 else "answer_count >= %s")
            if query.answers:
                params.append(query.answers)
        if query.accepted is not None:
            parts.append("accepted = %s")
            params.append(query.accepted)
        return parts, params, tsquery, ts_params

    def _rank_sql(self, query: ParsedQuery, tsquery: str | None, ts_params: list):
        if tsquery is None:
            return "0.0", []
        rank, params = f"ts_rank(vector, ({tsquery}))", list(ts_params)
        meaningful = [w for w in query.words if w not in STOP_WORDS]
        if len(meaningful) > 1:
            # Words next to each other in the text rank above the same words scattered.
            rank += " + CASE WHEN vector @@ phraseto_tsquery('english', %s) THEN 0.5 ELSE 0 END"
            params.append(" ".join(meaningful))
        return rank, params

    def search(self, query: ParsedQuery, offset: int, limit: int, sort: str) -> EngineResult:
        parts, params, tsquery, ts_params = self._where(query)
        if not parts:
            return EngineResult(total=0, documents=[])
        where = " AND ".join(parts)
        rank, rank_params = self._rank_sql(query, tsquery, ts_params)
        order = SORT_ORDER.get(sort, SORT_ORDER["relevance"])
        with self._cursor() as cursor:
            total, estimated = self._count(cursor, where, params)
            if not total:
                return EngineResult(total=0, documents=[])
            select = f"SELECT post_id, {rank} AS rank, tags FROM {self.table}"
            if sort == "relevance" and tsquery:
                # Narrow first: posts with the words in their title outrank the rest (title
                # weight A against body D), so the full ranking of every match is needed only
                # when titles do not fill the page.
                in_title = f"title_vector @@ ({tsquery})"
                # Ranked by the small title vector: no full vector is read for this tier.
                cursor.execute(
                    f"""SELECT post_id, ts_rank(title_vector, ({tsquery})) + 1 AS rank, tags
                        FROM {self.table} WHERE {in_title} AND {where}
                        ORDER BY rank DESC, created_at DESC LIMIT %s""",
                    [*ts_params, *ts_params, *params, FACET_SAMPLE + offset],
                )
                ranked = cursor.fetchall()
                if len(ranked) < offset + limit:
                    cursor.execute(
                        f"{select} WHERE NOT {in_title} AND {where} ORDER BY {order} LIMIT %s",
                        [*rank_params, *ts_params, *params, offset + limit - len(ranked)],
                    )
                    ranked += cursor.fetchall()
            else:
                cursor.execute(
                    f"{select} WHERE {where} ORDER BY {order} LIMIT %s",
                    [*rank_params, *params, max(FACET_SAMPLE, offset + limit)],
                )
                ranked = cursor.fetchall()
            page = ranked[offset : offset + limit]
            documents = self._fetch([row[0] for row in page], cursor)
        return EngineResult(
            total=total,
            documents=[documents[row[0]] for row in page if row[0] in documents],
            scores=[float(row[1]) for row in page if row[0] in documents],
            facet_tags=[list(row[2]) for row in ranked[:FACET_SAMPLE]],
            estimated=estimated,
        )

    def _count(self, cursor, where: str, params: list) -> tuple[int, bool]:
        """The exact count up to COUNT_CAP; above it the planner's estimate ("about")."""
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {self.table} WHERE {where} LIMIT %s) found",
            [*params, COUNT_CAP + 1],
        )
        count = cursor.fetchone()[0]
        if count <= COUNT_CAP:
            return count, False
        cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {self.table} WHERE {where}", params)
        plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return max(COUNT_CAP, int(plan[0]["Plan"]["Plan Rows"])), True

    def _fetch(self, post_ids: list[int], cursor) -> dict[int, SearchDocument]:
        if not post_ids:
            return {}
        cursor.execute(
            f"SELECT {_COLUMNS} FROM {self.table} WHERE post_id = ANY(%s)", [list(post_ids)]
        )
        return {row[0]: _document(row) for row in cursor.fetchall()}

    def get_documents(self, post_ids: list[int]) -> dict[int, SearchDocument]:
        with self._cursor() as cursor:
            return self._fetch(post_ids, cursor)

    def similar(
        self, weighted_words: dict[str, float], *, exclude_id: int | None, kind: str | None, n: int
    ) -> list[SearchDocument]:
        words = list(weighted_words)
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
                f"""SELECT {_COLUMNS} FROM {self.table} WHERE {" AND ".join(conditions)}
                    ORDER BY ts_rank(vector, ({any_word})) DESC, created_at DESC LIMIT %s""",
                [*params, *words, n],
            )
            return [_document(row) for row in cursor.fetchall()]

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


def _document(row) -> SearchDocument:
    (post_id, kind, title, body, url, tags, author, author_name, score, answer_count, accepted,
     created_at, parent_id, parent_title) = row  # fmt: skip
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
        answer_count=answer_count,
        accepted=accepted,
        created_at=created_at,
        parent_id=parent_id,
        parent_title=parent_title,
    )
