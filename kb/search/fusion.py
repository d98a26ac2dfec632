"""Blending the lexical ranking (words) with the semantic one (meaning) into one.

Weighted reciprocal rank fusion: a post scores ``weight / (K + rank)`` in each ranking it
appears in. Ranks, not raw scores, because BM25 and cosine live on different scales and
BM25's spread changes with every query. The weights are tuned on the Stack Exchange
duplicates (``manage.py eval_search``): equal weights did worse than meaning alone there,
so meaning leads and words break ties and add what meaning misses. Semantic candidates
below ``MIN_SIMILARITY`` are left out: a page of unrelated posts is worse than a short one.
"""

from __future__ import annotations

from collections.abc import Sequence

K = 60
LEXICAL_WEIGHT = 0.5
SEMANTIC_WEIGHT = 1.0
MIN_SIMILARITY = 0.35  # cosine; below it a "similar" post rarely asks the same


def blend(
    lexical: Sequence[int],
    semantic: Sequence[tuple[int, float]],
    *,
    lexical_weight: float = LEXICAL_WEIGHT,
    semantic_weight: float = SEMANTIC_WEIGHT,
    min_similarity: float = MIN_SIMILARITY,
    k: int = K,
) -> list[tuple[int, float]]:
    """(key, fused score) best first; ``lexical`` is ranked keys, ``semantic`` (key, cosine)."""
    scores: dict[int, float] = {}
    for rank, key in enumerate(lexical):
        scores[key] = scores.get(key, 0.0) + lexical_weight / (k + rank + 1)
    close = [key for key, similarity in semantic if similarity >= min_similarity]
    for rank, key in enumerate(close):
        scores[key] = scores.get(key, 0.0) + semantic_weight / (k + rank + 1)
    return sorted(scores.items(), key=lambda item: -item[1])
