"""Blending the lexical ranking (words) with the semantic one (meaning) into one.

Weighted reciprocal rank fusion: a post scores ``weight / (K + rank)`` in each ranking it
appears in. Ranks, not raw scores, because BM25 and cosine live on different scales and
BM25's spread changes with every query. Semantic candidates below ``MIN_SIMILARITY`` are
left out: a page of unrelated posts is worse than a short one.

The constants are tuned with ``manage.py eval_search --tune`` on the dev half of the Stack
Exchange duplicates (``../shared/eval/se-duplicates``; a fixed split, 127 dev and 126 test
pairs), best mean recall@10 over whoosh, tantivy and postgres, titles and titles with
bodies. Meaning alone finds the original in the top 10 for 57 % of titles, the words
alone for 27-39 %, and the words rarely find one that meaning misses (10 of 253 at most),
so meaning leads: with ``LEXICAL_WEIGHT`` 0.1 and ``K`` 1 a post first by its words alone
ranks with the 19th by meaning, and words mostly break ties. The first guesses (0.5, 1.0,
K 60, 0.35) let weak lexical matches push originals down (test half, titles: recall@1
18-28 % against 29 % now; postgres recall@10 48 % against 57 %). On dev, ``LEXICAL_WEIGHT``
0.1 with any ``K`` from 1 to 10 ties (58.3 %; 0 ties too): ``K`` 1 gives the words the most
say among them. ``MIN_SIMILARITY`` up to 0.3 costs nothing there. Fusing scores instead
(``alpha * cosine + (1 - alpha) * score / best score``) did no better on dev, so ranks stay.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

K = 1
LEXICAL_WEIGHT = 0.1
SEMANTIC_WEIGHT = 1.0
MIN_SIMILARITY = 0.3  # cosine; below it a "similar" post rarely asks the same


def blend(
    lexical: Sequence[int],
    semantic: Sequence[tuple[int, float]],
    *,
    lexical_weight: float = LEXICAL_WEIGHT,
    semantic_weight: float = SEMANTIC_WEIGHT,
    min_similarity: float = MIN_SIMILARITY,
    k: int = K,
    lexical_scores: Sequence[float] | None = None,
) -> list[tuple[int, float]]:
    """(key, fused score) best first; ``lexical`` is ranked keys, ``semantic`` (key, cosine).

    Posts that score alike on one side share its rank (``lexical_scores`` gives the lexical
    scores when known): a tie stays a tie, for fresher advice to break (kb/search/freshness.py).
    """
    scores: dict[int, float] = {}
    lexical_ranks = _shared_ranks(lexical_scores) if lexical_scores else range(len(lexical))
    for rank, key in zip(lexical_ranks, lexical, strict=True):
        scores[key] = scores.get(key, 0.0) + lexical_weight / (k + rank + 1)
    close = [(key, similarity) for key, similarity in semantic if similarity >= min_similarity]
    semantic_ranks = _shared_ranks([similarity for _, similarity in close])
    for rank, (key, _) in zip(semantic_ranks, close, strict=True):
        scores[key] = scores.get(key, 0.0) + semantic_weight / (k + rank + 1)
    return sorted(scores.items(), key=lambda item: -item[1])


def _shared_ranks(scores: Sequence[float]) -> list[int]:
    """0-based ranks of scores sorted best first, equal scores sharing the first's rank."""
    ranks: list[int] = []
    for position, score in enumerate(scores):
        tied = position and math.isclose(score, scores[position - 1], rel_tol=1e-6)
        ranks.append(ranks[-1] if tied else position)
    return ranks
