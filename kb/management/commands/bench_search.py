"""Benchmark the search engines side by side on a reproducible synthetic corpus.

    manage.py bench_search [--posts 100000] [--engines whoosh,tantivy,postgres]

The corpus (fixed seed): a Zipf-like vocabulary of made-up words, titles of 6-14 words,
bodies of 80-600 words, 1-5 of 60 tags. Documents go straight into each engine, into
temporary directories and, for PostgreSQL, a table in the separate ``kb_bench`` schema:
the site's posts and index are never touched. Queries run through ``kb.search.search``
(parsing aside), so the timings include snippets and facets as users get them, and,
unless ``--no-semantic``, the semantic layer: every post's vector is encoded first (timed
as "vectors") and sentence queries are fused with the nearest vectors, as on the site.
"""

from __future__ import annotations

import itertools
import os
import random
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from kb import search
from kb.search import vectors
from kb.search.documents import SearchDocument
from kb.search.query import parse
from kb.search.text import STOP_WORDS

SEED = 20260101
VOCABULARY = 30_000
TAGS = [f"topic-{i:02d}" for i in range(60)]
QUERIES_PER_TYPE = 40
UPDATES = 20
SENTENCE_FILLER = [
    "how",
    "should",
    "i",
    "do",
    "the",
    "a",
    "to",
    "for",
    "what",
    "is",
    "my",
    "with",
    "or",
    "vs",
    "can",
    "it",
]
VECTOR_BATCH = 256
BENCH_TABLE = "kb_bench.searchdocument"
_SYLLABLES = [a + b for a in "bcdfghjklmnprstvwz" for b in ("a", "e", "i", "o", "u", "ai", "ou")]


def _vocabulary(rng: random.Random) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < VOCABULARY:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3, 3, 4))))
        if word not in STOP_WORDS:  # nobody searches for "be" alone
            words[word] = None
    return list(words)


def _zipf_weights(n: int, exponent: float = 1.05) -> list[float]:
    return list(itertools.accumulate(1 / (rank**exponent) for rank in range(1, n + 1)))


class Corpus:
    def __init__(self, posts: int, seed: int = SEED):
        rng = random.Random(seed)
        self.words = _vocabulary(rng)
        cumulative = _zipf_weights(len(self.words))
        tag_weights = _zipf_weights(len(TAGS), 0.8)
        start = datetime(2020, 1, 1, tzinfo=UTC)
        self.documents = []
        for post_id in range(1, posts + 1):
            title = rng.choices(self.words, cum_weights=cumulative, k=rng.randint(6, 14))
            body = rng.choices(self.words, cum_weights=cumulative, k=rng.randint(80, 600))
            tags = sorted(set(rng.choices(TAGS, cum_weights=tag_weights, k=rng.randint(1, 5))))
            self.documents.append(
                SearchDocument(
                    id=post_id,
                    kind="question" if post_id % 5 else "experience",
                    title=" ".join(title).capitalize(),
                    body=" ".join(body),
                    url=f"/questions/{post_id}/q/",
                    tags=tags,
                    author=f"user{post_id % 500}",
                    author_name=f"User {post_id % 500}",
                    score=rng.randint(0, 50),
                    answer_count=rng.randint(0, 6),
                    accepted=rng.random() < 0.3,
                    created_at=start + timedelta(minutes=post_id * 7),
                )
            )
        self.queries = self._queries(rng, cumulative)

    def _queries(self, rng: random.Random, cumulative) -> dict[str, list[str]]:
        # Query words follow the same Zipf law among the 3,000 most used words.
        def word() -> str:
            return rng.choices(self.words[:3000], cum_weights=cumulative[:3000])[0]

        def phrase() -> str:
            document = rng.choice(self.documents)
            words = document.body.split()
            i = rng.randrange(len(words) - 1)
            return f'"{words[i]} {words[i + 1]}"'

        n = QUERIES_PER_TYPE
        return {
            "1 word": [word() for _ in range(n)],
            "2 words": [f"{word()} {word()}" for _ in range(n)],
            "phrase": [phrase() for _ in range(n)],
            "tag filter": [f"{word()} [{rng.choice(TAGS[:30])}]" for _ in range(n)],
            "sentence": [self._sentence(rng, word) for _ in range(n)],
        }

    @staticmethod
    def _sentence(rng: random.Random, word) -> str:
        """A question as people type it: 6-10 words, stop and question words among them."""
        content = [word() for _ in range(rng.randint(2, 4))]
        filler = rng.sample(SENTENCE_FILLER, rng.randint(6, 10) - len(content))
        words = filler[:2] + content[:1] + filler[2:] + content[1:]
        return " ".join(words).capitalize() + "?"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _directory_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


class Command(BaseCommand):
    help = "Benchmark the search engines side by side on a synthetic corpus."

    def add_arguments(self, parser):
        parser.add_argument("--posts", type=int, default=100_000)
        parser.add_argument(
            "--engines", default=",".join(settings.SEARCH_BACKENDS), help="comma-separated"
        )
        parser.add_argument(
            "--postgres-url",
            default=os.environ.get("KB_BENCH_POSTGRES_URL", ""),
            help="PostgreSQL for the postgres engine (default: KB_DATABASE_URL when it is "
            "PostgreSQL); the benchmark uses its own schema kb_bench there.",
        )
        parser.add_argument("--keep", action="store_true", help="keep the index directories")
        parser.add_argument(
            "--no-semantic",
            action="store_true",
            help="the lexical engines alone (default: with the semantic layer, when it is on)",
        )

    def handle(self, *args, posts, engines, postgres_url, keep, no_semantic, **options):
        names = [name.strip() for name in engines.split(",") if name.strip()]
        unknown = set(names) - set(settings.SEARCH_BACKENDS)
        if unknown or not names:
            raise CommandError(f"--engines: choose from {', '.join(settings.SEARCH_BACKENDS)}")
        if posts < 10:
            raise CommandError("--posts must be at least 10")
        started = time.perf_counter()
        corpus = Corpus(posts)
        self.stdout.write(
            f"Corpus: {posts:,} posts, {len(corpus.words):,} words, generated in "
            f"{time.perf_counter() - started:.1f} s"
        )
        workdir = Path(tempfile.mkdtemp(prefix="kb-bench-"))
        columns = {}
        semantic = not no_semantic and vectors.enabled()
        try:
            # Open every engine first: a bad --postgres-url fails now, not after a long build.
            backends = {name: self._backend(name, workdir, postgres_url) for name in names}
            index, encoding = self._vectors(corpus) if semantic else (None, 0.0)
            for name, backend in backends.items():
                if backend is None:
                    continue
                self.stdout.write(f"Benchmarking {name}…")
                with vectors.use_index(index), override_settings(SEMANTIC_SEARCH=semantic):
                    columns[name] = self._measure(backend, corpus, encoding)
                self._cleanup(backend)
        finally:
            if not keep:
                shutil.rmtree(workdir, ignore_errors=True)
        self._print_table(posts, columns)

    def _backend(self, name: str, workdir: Path, postgres_url: str):
        if name == "whoosh":
            from kb.search.whoosh_backend import WhooshBackend

            return WhooshBackend(workdir / "whoosh")
        if name == "tantivy":
            from kb.search.tantivy_backend import TantivyBackend

            return TantivyBackend(workdir / "tantivy")
        return self._postgres_backend(postgres_url)

    def _postgres_backend(self, url: str):
        import psycopg

        from kb.search.postgres_backend import PostgresBackend

        if not url:
            database = settings.DATABASES["default"]
            if "postgresql" not in database["ENGINE"]:
                self.stderr.write("postgres: skipped (no --postgres-url and the site uses SQLite)")
                return None
            url = (
                f"postgresql://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
                f"{database['PORT'] or 5432}/{database['NAME']}"
            )
        try:
            connection = psycopg.connect(
                url.replace("postgres://", "postgresql://", 1), autocommit=True
            )
        except psycopg.OperationalError as error:
            raise CommandError(f"postgres: cannot connect to {url}: {error}") from None
        connection.execute("CREATE SCHEMA IF NOT EXISTS kb_bench")
        connection.execute(f"DROP TABLE IF EXISTS {BENCH_TABLE}")
        backend = PostgresBackend(lambda: connection, table=BENCH_TABLE)
        backend.bench_connection = connection
        return backend

    def _cleanup(self, backend) -> None:
        backend.wait_for_merge()  # before its temporary index is removed
        connection = getattr(backend, "bench_connection", None)
        if connection is not None:
            connection.execute(f"DROP TABLE IF EXISTS {BENCH_TABLE}")
            connection.close()

    def _size(self, backend) -> int:
        connection = getattr(backend, "bench_connection", None)
        if connection is not None:
            return connection.execute(
                "SELECT pg_total_relation_size(%s)", [BENCH_TABLE]
            ).fetchone()[0]
        return _directory_size(backend.path)

    def _vectors(self, corpus: Corpus):
        """Every post's vector, encoded as rebuild_index does, in an index of their own."""
        from kb.search.embeddings import embedding_text, get_encoder

        self.stdout.write("Encoding the vectors…")
        encoder = get_encoder(threads=os.cpu_count())  # as rebuild_index does
        started = time.perf_counter()
        matrices = []
        for start in range(0, len(corpus.documents), VECTOR_BATCH):
            batch = corpus.documents[start : start + VECTOR_BATCH]
            matrices.append(encoder.encode([embedding_text(d.title, d.body) for d in batch]))
        encoding = time.perf_counter() - started
        index = vectors.VectorIndex.of(
            [d.id for d in corpus.documents],
            [d.kind for d in corpus.documents],
            np.concatenate(matrices),
        )
        return index, encoding

    def _measure(self, backend, corpus: Corpus, encoding: float = 0.0) -> dict[str, str]:
        started = time.perf_counter()
        backend.rebuild(corpus.documents)
        build = time.perf_counter() - started
        column = {"build": f"{build:.1f} s", "size": f"{self._size(backend) / 2**20:.0f} MB"}
        if encoding:
            column["vectors"] = f"{encoding:.1f} s"
            column["build + vectors"] = f"{build + encoding:.1f} s"
        search.search(parse("warm up", resolve_tags=False), backend=backend)
        for kind, queries in corpus.queries.items():
            timings, totals = [], []
            for raw in queries:
                parsed = parse(raw, resolve_tags=False)
                began = time.perf_counter()
                page = search.search(parsed, backend=backend)
                timings.append((time.perf_counter() - began) * 1000)
                totals.append(page.total)
            column[f"{kind} p50"] = f"{statistics.median(timings):.1f} ms"
            column[f"{kind} p95"] = f"{_percentile(timings, 0.95):.1f} ms"
            column[f"{kind} hits"] = f"{statistics.median(totals):,.0f}"
        column["update p50"], column["update p95"] = self._updates(backend, corpus)
        return column

    def _updates(self, backend, corpus: Corpus) -> tuple[str, str]:
        timings = []
        for document in corpus.documents[:UPDATES]:
            document.score += 1
            began = time.perf_counter()
            backend.index_documents([document])
            timings.append((time.perf_counter() - began) * 1000)
        return f"{statistics.median(timings):.1f} ms", f"{_percentile(timings, 0.95):.1f} ms"

    def _print_table(self, posts: int, columns: dict[str, dict[str, str]]) -> None:
        if not columns:
            self.stdout.write("No engine was measured.")
            return
        names = list(columns)
        rows = list(next(iter(columns.values())))
        width = max(len(r) for r in rows) + 2
        header = f"{'at ' + format(posts, ',') + ' posts':<{width}}" + "".join(
            f"{name:>14}" for name in names
        )
        self.stdout.write("")
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for row in rows:
            self.stdout.write(
                f"{row:<{width}}" + "".join(f"{columns[n].get(row, '-'):>14}" for n in names)
            )
