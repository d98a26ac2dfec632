"""Fresher advice first when relevance ties (issue 13): career advice ages.

Only exact ties move: two threads the ranking scores alike are ordered by their freshest
advice (``Post.advice_date``: written, or edited or re-confirmed by its author) among the
thread's post and its visible answers. One query, and none when nothing ties.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime


def thread_freshness(keys: Iterable[int]) -> dict[int, datetime]:
    """{question or experience post id: the date of the freshest advice in its thread}."""
    from django.db.models import F, Max, Q
    from django.db.models.functions import Coalesce, Greatest

    from kb.models import Post

    keys = list(keys)
    rows = (
        Post.objects.visible()
        .filter(Q(pk__in=keys) | Q(parent_id__in=keys))
        .annotate(
            thread=Coalesce("parent_id", "id"),
            fresh=Greatest("created_at", Coalesce("confirmed_at", F("created_at"))),
        )
        .order_by()
        .values("thread")
        .annotate(latest=Max("fresh"))
    )
    return {row["thread"]: row["latest"] for row in rows}


def fresher_first_on_ties(ranked: Sequence[tuple[int, float]]) -> list[int]:
    """The keys of ``ranked`` ((key, score), best first), each run of equal scores ordered
    by fresher advice; everything else keeps its place."""
    runs = _runs_of_equal_scores(ranked)
    if all(len(run) == 1 for run in runs):
        return [key for key, _ in ranked]
    freshness = thread_freshness(key for run in runs if len(run) > 1 for key in run)
    order = []
    for run in runs:
        if len(run) > 1:
            # sorted() is stable: threads as fresh as each other keep the ranking's order.
            run = sorted(run, key=lambda key: _timestamp(freshness.get(key)), reverse=True)
        order.extend(run)
    return order


def _runs_of_equal_scores(ranked: Sequence[tuple[int, float]]) -> list[list[int]]:
    runs: list[list[int]] = []
    previous = None
    for key, score in ranked:
        if previous is not None and math.isclose(score, previous, rel_tol=1e-9, abs_tol=1e-12):
            runs[-1].append(key)
        else:
            runs.append([key])
        previous = score
    return runs


def _timestamp(moment: datetime | None) -> float:
    return moment.timestamp() if moment else 0.0
