"""How well search finds a question's original from its duplicate: a benchmark, not a test.

    manage.py eval_search --data ../shared/eval/se-duplicates
        [--engines whoosh,tantivy,postgres] [--limit N] [--tune] [--postgres-url URL]
        [--cache-dir DIR]

The data (SOURCE.md there says where it comes from and its licence): ``corpus.jsonl``, the
questions searched, and ``pairs.jsonl``, duplicate links whose both ends are in the corpus.
Every question goes straight into each engine, in temporary indexes (PostgreSQL: a table in
the separate ``kb_bench`` schema, made by bench_search's helpers), and its vector, encoded as
rebuild_index encodes it, into an in-memory vector index: the site's posts, index and
vectors are never touched. Then each duplicate's title, and separately its title and body,
is searched as the search page searches it, the duplicate itself left out, and the rank of
its original gives recall@1, recall@10 and MRR (a rank beyond the results counts 0):

- lexical: the engine's ranking as the search page builds it (``parse``, a pool of
  ``DEPTH`` posts, one result per thread);
- semantic: the questions nearest in meaning to the text the search page embeds;
- hybrid: both fused by ``kb.search._with_meaning``, the search page's own code, for every
  query;
- site: what the search page does today: hybrid for free text, the words alone otherwise
  (a "quoted phrase", a [tag] or another operator, often in a body, turns the fusion off).

The corpus vectors take minutes to encode: they are cached in ``--cache-dir`` (default: the
system's temporary directory), keyed by the model id and a checksum of the texts encoded.

``--tune`` splits the pairs into a dev and a test half (seed ``SPLIT_SEED``), grid-searches
the fusion constants of kb/search/fusion.py on the dev half (best mean hybrid recall@10 over
the engines and both query forms, MRR breaking ties) and reports the test half for the
constants in use and the best ones found.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import CommandError
from django.test.utils import override_settings

from kb import search
from kb.management.commands import bench_search
from kb.search import fusion, vectors
from kb.search.documents import SearchDocument
from kb.search.query import parse

SPLIT_SEED = 20240917
DEPTH = 100  # results read per ranking: MRR is MRR@100
FORMS = ("title", "title+body")
MODES = ("lexical", "semantic", "hybrid", "site")
VECTOR_BATCH = 256
# The --tune grid. Weights are relative: the semantic weight stays 1.
GRID_LEXICAL_WEIGHT = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0, 1.5)
GRID_K = (1, 3, 5, 10, 20, 30, 60, 100)
GRID_MIN_SIMILARITY = (0.0, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
# Score fusion, measured for comparison: ALPHA * cosine + (1 - ALPHA) * the engine's score
# over the query's best one.
GRID_ALPHA = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)


@dataclass
class Pair:
    duplicate: int  # document ids in the evaluation corpus
    original: int
    title: str
    body: str

    def text(self, form: str) -> str:
        return self.title if form == "title" else f"{self.title}\n{self.body}"


@dataclass
class Dataset:
    documents: list[SearchDocument]
    pairs: list[Pair]


def load_dataset(path: Path, limit: int | None = None) -> Dataset:
    """The corpus as search documents (ids 1..n in file order) and the pairs between them."""
    documents, ids = [], {}
    with open(path / "corpus.jsonl", encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            row = json.loads(line)
            ids[(row["site"], row["id"])] = number
            documents.append(_document(number, row))
    pairs = []
    with open(path / "pairs.jsonl", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            duplicate = ids.get((row["site"], row["dup_id"]))
            original = ids.get((row["site"], row["orig_id"]))
            if duplicate is None or original is None:
                raise CommandError(
                    f"{path}: a pair's question is not in the corpus: {row['dup_url']}"
                )
            pairs.append(Pair(duplicate, original, row["dup_title"], row["dup_body"]))
    return Dataset(documents, pairs[:limit] if limit else pairs)


def _document(number: int, row: dict) -> SearchDocument:
    author = row.get("author") or {}
    name = author.get("name") or (f"user{author['user_id']}" if author.get("user_id") else "")
    created = datetime.fromisoformat(row["creation_date"])
    return SearchDocument(
        id=number,
        kind="question",
        title=row["title"],
        body=row["body"],
        url=row["url"],
        tags=list(row.get("tags") or []),
        author=name.lower(),
        author_name=name,
        score=int(row.get("score") or 0),
        created_at=created if created.tzinfo else created.replace(tzinfo=UTC),
    )


def split(pairs: Sequence[Pair], seed: int = SPLIT_SEED) -> tuple[list[int], list[int]]:
    """Pair indexes of the dev half and the test half, the same for every run."""
    order = list(range(len(pairs)))
    random.Random(seed).shuffle(order)
    half = (len(order) + 1) // 2
    return sorted(order[:half]), sorted(order[half:])


# --- rankings -----------------------------------------------------------------------------


class _Without:
    """A vector index that never returns some posts (the query question itself) and keeps
    the neighbours it returned last (what ``_with_meaning`` fused)."""

    def __init__(self, index: vectors.VectorIndex, exclude: Sequence[int]):
        self.index, self.exclude = index, list(exclude)
        self.last: list[tuple[int, float]] = []

    def nearest(self, vector, k, kinds=vectors.KINDS, exclude_ids=()):
        self.last = self.index.nearest(vector, k, kinds, [*exclude_ids, *self.exclude])
        return self.last

    def vector_of(self, post_id):
        return self.index.vector_of(post_id)


def lexical_ranking(backend, parsed, exclude: int) -> list[tuple[int, float]]:
    """(thread key, engine score) as the search page ranks them (``_thread_page``), best
    first, without ``exclude``."""
    if parsed.is_empty:
        return []
    result = backend.search(parsed, 0, DEPTH, "relevance")
    threads = search._threads(result.documents, result.scores)
    return [(thread.key, thread.best[1]) for thread in threads if thread.key != exclude]


@dataclass
class Record:
    """One query's rankings: enough to re-fuse them with other constants."""

    original: int
    free_text: bool
    lexical: list[int] = field(default_factory=list)
    lexical_scores: list[float] = field(default_factory=list)  # the engine's, per key
    close: list[tuple[int, float]] = field(default_factory=list)  # what the hybrid fused
    hybrid: list[int] = field(default_factory=list)
    semantic: list[int] = field(default_factory=list)
    ms: dict[str, float] = field(default_factory=dict)

    def site(self, hybrid: list[int]) -> list[int]:
        return hybrid if self.free_text else self.lexical


def rank_of(key: int, ranking: Sequence[int]) -> int | None:
    for position, candidate in enumerate(ranking[:DEPTH], start=1):
        if candidate == key:
            return position
    return None


def scores(originals: Sequence[int], rankings: Sequence[Sequence[int]]) -> tuple[float, ...]:
    """recall@1, recall@10 (percent) and MRR of the originals in these rankings."""
    ranks = [rank_of(key, ranking) for key, ranking in zip(originals, rankings, strict=True)]
    n = max(1, len(ranks))
    return (
        100 * sum(1 for r in ranks if r == 1) / n,
        100 * sum(1 for r in ranks if r and r <= 10) / n,
        sum(1 / r for r in ranks if r) / n,
    )


def fused(record: Record, **constants) -> list[int]:
    return [key for key, _ in fusion.blend(record.lexical, record.close, **constants)]


# --- the command --------------------------------------------------------------------------


class Command(bench_search.Command):
    help = "Recall@1/@10 and MRR of duplicate questions' originals, per engine and mode."

    def add_arguments(self, parser):
        parser.add_argument("--data", required=True, help="folder of corpus.jsonl, pairs.jsonl")
        parser.add_argument(
            "--engines", default=",".join(settings.SEARCH_BACKENDS), help="comma-separated"
        )
        parser.add_argument("--limit", type=int, default=0, help="only the first N pairs")
        parser.add_argument(
            "--tune", action="store_true", help="grid-search the fusion constants (dev half)"
        )
        parser.add_argument(
            "--postgres-url",
            default=os.environ.get("KB_BENCH_POSTGRES_URL", ""),
            help="PostgreSQL for the postgres engine (default: KB_DATABASE_URL when it is "
            "PostgreSQL); the benchmark uses its own schema kb_bench there.",
        )
        parser.add_argument(
            "--cache-dir",
            default=str(Path(tempfile.gettempdir()) / "careerkb-eval"),
            help="where the corpus vectors are cached (default: %(default)s)",
        )

    def handle(self, *args, data, engines, limit, tune, postgres_url, cache_dir, **options):
        names = [name.strip() for name in engines.split(",") if name.strip()]
        unknown = set(names) - set(settings.SEARCH_BACKENDS)
        if unknown or not names:
            raise CommandError(f"--engines: choose from {', '.join(settings.SEARCH_BACKENDS)}")
        path = Path(data)
        if not (path / "corpus.jsonl").is_file() or not (path / "pairs.jsonl").is_file():
            raise CommandError(f"--data: no corpus.jsonl and pairs.jsonl in {path}")
        dataset = load_dataset(path, limit)
        self.stdout.write(
            f"Corpus: {len(dataset.documents):,} questions; {len(dataset.pairs)} duplicate pairs"
        )
        # The semantic layer is measured even where the site has it off.
        with override_settings(SEMANTIC_SEARCH=True):
            index = self._vector_index(dataset, Path(cache_dir))
            semantic = self._semantic(dataset, index)
            records = self._engines(dataset, names, index, postgres_url, semantic)
        constants = _constants()
        self._table(
            f"All {len(dataset.pairs)} pairs, fusion {_describe(constants)}",
            dataset,
            range(len(dataset.pairs)),
            records,
            semantic,
        )
        if tune:
            self._tune(dataset, records, semantic, constants)

    # --- vectors -------------------------------------------------------------------------

    def _vector_index(self, dataset: Dataset, cache_dir: Path) -> vectors.VectorIndex:
        from kb.search.embeddings import Encoder, embedding_text

        encoder = Encoder(settings.EMBEDDING_MODEL_DIR, threads=os.cpu_count() or 1)
        texts = [embedding_text(d.title, d.body) for d in dataset.documents]
        digest = hashlib.sha256("\0".join(texts).encode()).hexdigest()[:16]
        cache = cache_dir / f"eval-search-{encoder.model_id}-{digest}.npy"
        if cache.is_file():
            matrix = np.load(cache)
            self.stdout.write(f"Vectors: read from the cache {cache}")
        else:
            self.stdout.write(f"Encoding {len(texts):,} questions…")
            started = time.perf_counter()
            matrix = np.concatenate(
                [
                    encoder.encode(texts[start : start + VECTOR_BATCH])
                    for start in range(0, len(texts), VECTOR_BATCH)
                ]
            )
            cache_dir.mkdir(parents=True, exist_ok=True)
            partial = cache.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(partial, matrix)
            partial.replace(cache)
            self.stdout.write(
                f"Vectors: encoded in {time.perf_counter() - started:.0f} s, cached in {cache}"
            )
        ids = [d.id for d in dataset.documents]
        return vectors.VectorIndex.of(ids, [d.kind for d in dataset.documents], matrix)

    def _semantic(self, dataset: Dataset, index) -> dict[str, list[Record]]:
        """The semantic rankings, the same for every engine: per query form."""
        rankings = {}
        with vectors.use_index(index):
            vectors.nearest_to_text("warm up", 1)
            for form in FORMS:
                rankings[form] = []
                for pair in dataset.pairs:
                    began = time.perf_counter()
                    parsed = parse(pair.text(form), resolve_tags=False)
                    close = vectors.nearest_to_text(
                        search._free_text(parsed), DEPTH, exclude_ids=[pair.duplicate]
                    )
                    record = Record(pair.original, parsed.is_free_text)
                    record.semantic = [key for key, _ in close]
                    record.ms["semantic"] = (time.perf_counter() - began) * 1000
                    rankings[form].append(record)
        return rankings

    # --- engines -------------------------------------------------------------------------

    def _engines(self, dataset, names, index, postgres_url, semantic):
        """{engine: {form: [Record per pair]}} for every engine that could be opened."""
        workdir = Path(tempfile.mkdtemp(prefix="kb-eval-"))
        records = {}
        try:
            backends = {name: self._backend(name, workdir, postgres_url) for name in names}
            for name, backend in backends.items():
                if backend is None:
                    continue
                try:
                    started = time.perf_counter()
                    backend.rebuild(dataset.documents)
                    self.stdout.write(
                        f"{name}: indexed in {time.perf_counter() - started:.1f} s; searching…"
                    )
                    records[name] = self._queries(backend, dataset, index, semantic)
                finally:
                    self._cleanup(backend)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return records

    def _queries(self, backend, dataset, index, semantic) -> dict[str, list[Record]]:
        documents = {document.id: document for document in dataset.documents}
        with vectors.use_index(index):
            search.search(parse("warm up", resolve_tags=False), backend=backend)
        by_form = {}
        for form in FORMS:
            by_form[form] = []
            for pair, meaning in zip(dataset.pairs, semantic[form], strict=True):
                began = time.perf_counter()
                parsed = parse(pair.text(form), resolve_tags=False)
                ranked = lexical_ranking(backend, parsed, pair.duplicate)
                lexical = [key for key, _ in ranked]
                lexical_ms = (time.perf_counter() - began) * 1000
                without, known = _Without(index, [pair.duplicate]), set(lexical)
                began = time.perf_counter()
                with vectors.use_index(without):
                    order, _ = search._with_meaning(backend, parsed, lexical, search.PER_PAGE)
                hybrid_ms = lexical_ms + (time.perf_counter() - began) * 1000
                record = Record(
                    pair.original,
                    parsed.is_free_text,
                    lexical=lexical,
                    lexical_scores=[score for _, score in ranked],
                    # What _with_meaning fused: the neighbours passing the query's filters
                    # (a "[...]" in a body is a tag filter).
                    close=[
                        (key, similarity)
                        for key, similarity in without.last
                        if key in known or search.matches_filters(documents[key], parsed)
                    ],
                    hybrid=order,
                    semantic=meaning.semantic,
                )
                record.ms = {
                    "lexical": lexical_ms,
                    "semantic": meaning.ms["semantic"],
                    "hybrid": hybrid_ms,
                    "site": hybrid_ms if parsed.is_free_text else lexical_ms,
                }
                by_form[form].append(record)
        return by_form

    # --- output --------------------------------------------------------------------------

    def _table(self, title, dataset, selection, records, semantic, extra=()) -> None:
        """One row per engine x mode x query form; ``extra`` adds (label, constants) rows."""
        selection = list(selection)
        header = (
            f"{'engine':<9}{'mode':<18}{'query':<12}"
            f"{'recall@1':>10}{'recall@10':>11}{'MRR':>8}{'p50 ms':>9}"
        )
        self.stdout.write("")
        self.stdout.write(title)
        self.stdout.write(header)
        self.stdout.write("-" * len(header))

        def row(engine, mode, form, chosen, rankings, timed):
            r1, r10, mrr = scores([r.original for r in chosen], rankings)
            p50 = f"{statistics.median(timed):.1f}" if timed else "-"
            self.stdout.write(
                f"{engine:<9}{mode:<18}{form:<12}{r1:>9.1f}%{r10:>10.1f}%{mrr:>8.3f}{p50:>9}"
            )

        for form in FORMS:
            chosen = [semantic[form][i] for i in selection]
            row(
                "-",
                "semantic",
                form,
                chosen,
                [r.semantic for r in chosen],
                [r.ms["semantic"] for r in chosen],
            )
        for engine, by_form in records.items():
            for mode, form in itertools.product(("lexical", "hybrid", "site"), FORMS):
                chosen = [by_form[form][i] for i in selection]
                rankings = [
                    r.lexical
                    if mode == "lexical"
                    else r.site(r.hybrid)
                    if mode == "site"
                    else r.hybrid
                    for r in chosen
                ]
                row(engine, mode, form, chosen, rankings, [r.ms[mode] for r in chosen])
            for (label, constants), form in itertools.product(extra, FORMS):
                chosen = [by_form[form][i] for i in selection]
                hybrid = [fused(r, **constants) for r in chosen]
                row(engine, f"hybrid {label}", form, chosen, hybrid, [])
                row(
                    engine,
                    f"site {label}",
                    form,
                    chosen,
                    [r.site(h) for r, h in zip(chosen, hybrid, strict=True)],
                    [],
                )
        free = {form: sum(1 for r in semantic[form] if not r.free_text) for form in FORMS}
        self.stdout.write(
            "site = hybrid for free text, lexical otherwise; not free text (a quoted phrase, "
            "a [tag] or another operator): "
            + ", ".join(f"{form} {n}/{len(semantic[form])}" for form, n in free.items())
        )

    # --- tuning --------------------------------------------------------------------------

    def _tune(self, dataset, records, semantic, constants) -> None:
        if not records:
            self.stdout.write("--tune: no engine was measured.")
            return
        dev, test = split(dataset.pairs)
        self.stdout.write("")
        self.stdout.write(
            f"Tuning: {len(dev)} dev and {len(test)} test pairs (random.Random({SPLIT_SEED}) "
            f"shuffle); objective: mean hybrid recall@10 over {len(records)} engine(s) x "
            f"{len(FORMS)} query forms on the dev half, then MRR"
        )
        results = []
        for lexical_weight, k, min_similarity in itertools.product(
            GRID_LEXICAL_WEIGHT, GRID_K, GRID_MIN_SIMILARITY
        ):
            candidate = {
                "lexical_weight": lexical_weight,
                "semantic_weight": 1.0,
                "k": k,
                "min_similarity": min_similarity,
            }
            results.append((objective(records, dev, candidate), candidate))
        # Ties (to the printed digits) go to the higher MIN_SIMILARITY (fewer unrelated posts
        # on a page), then to more say for the words (a higher LEXICAL_WEIGHT, a lower K).
        results.sort(
            key=lambda item: (
                round(item[0][0], 1),
                round(item[0][1], 3),
                item[1]["min_similarity"],
                item[1]["lexical_weight"],
                -item[1]["k"],
            ),
            reverse=True,
        )
        self.stdout.write("Best on dev (recall@10, MRR):")
        for (recall, mrr), candidate in results[:8]:
            self.stdout.write(f"  {recall:5.1f}% {mrr:.3f}  {_describe(candidate)}")
        current = objective(records, dev, constants)
        differ = sum(
            1
            for by_form in records.values()
            for form in FORMS
            for record in by_form[form]
            if fused(record, **constants) != record.hybrid
        )
        if differ:  # the re-fusion below would not measure the search page's code
            self.stderr.write(f"{differ} re-fused rankings differ from _with_meaning's")
        self.stdout.write(f"  {current[0]:5.1f}% {current[1]:.3f}  {_describe(constants)} (in use)")
        best = results[0][1]
        self._score_fusion(records, dev, test, best)
        self._table(
            f"Test half ({len(test)} pairs); in use: {_describe(constants)}; "
            f"tuned: {_describe(best)}",
            dataset,
            test,
            records,
            semantic,
            extra=[("tuned", best)],
        )

    def _score_fusion(self, records, dev, test, best) -> None:
        """Whether fusing scores instead of ranks would do better (it did not: see fusion.py)."""
        results = []
        for alpha, min_similarity in itertools.product(GRID_ALPHA, GRID_MIN_SIMILARITY):
            candidate = {"alpha": alpha, "min_similarity": min_similarity}
            results.append((objective(records, dev, candidate, convex), candidate))
        results.sort(key=lambda item: item[0], reverse=True)
        (recall, mrr), candidate = results[0]
        test_recall, test_mrr = objective(records, test, candidate, convex)
        rank_recall, rank_mrr = objective(records, test, best)
        self.stdout.write(
            f"Score fusion (alpha * cosine + (1 - alpha) * score / best score), best on dev: "
            f"{recall:.1f}% {mrr:.3f} at alpha={candidate['alpha']:g} "
            f"MIN_SIMILARITY={candidate['min_similarity']:g}; on test {test_recall:.1f}% "
            f"{test_mrr:.3f} against {rank_recall:.1f}% {rank_mrr:.3f} for the best rank fusion"
        )


def convex(record: Record, alpha: float, min_similarity: float) -> list[int]:
    """Score fusion: ``alpha`` * cosine + (1 - ``alpha``) * engine score / the best one."""
    fused_scores: dict[int, float] = {}
    for key, similarity in record.close:
        if similarity >= min_similarity:
            fused_scores[key] = alpha * similarity
    best = max(record.lexical_scores, default=0.0)
    for key, score in zip(record.lexical, record.lexical_scores, strict=True):
        share = score / best if best > 0 else 0.0
        fused_scores[key] = fused_scores.get(key, 0.0) + (1 - alpha) * share
    return sorted(fused_scores, key=lambda key: -fused_scores[key])


def objective(records, selection, constants, fuse=None) -> tuple[float, float]:
    """Mean recall@10 and MRR of the hybrid over every engine and query form."""
    fuse = fuse or fused
    recalls, mrrs = [], []
    for by_form in records.values():
        for form in FORMS:
            chosen = [by_form[form][i] for i in selection]
            _, recall, mrr = scores(
                [r.original for r in chosen], [fuse(r, **constants) for r in chosen]
            )
            recalls.append(recall)
            mrrs.append(mrr)
    return statistics.fmean(recalls), statistics.fmean(mrrs)


def _constants() -> dict:
    return {
        "lexical_weight": fusion.LEXICAL_WEIGHT,
        "semantic_weight": fusion.SEMANTIC_WEIGHT,
        "k": fusion.K,
        "min_similarity": fusion.MIN_SIMILARITY,
    }


def _describe(constants: dict) -> str:
    return (
        f"LEXICAL_WEIGHT={constants['lexical_weight']:g} "
        f"SEMANTIC_WEIGHT={constants['semantic_weight']:g} K={constants['k']:g} "
        f"MIN_SIMILARITY={constants['min_similarity']:g}"
    )
