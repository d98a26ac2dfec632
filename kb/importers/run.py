"""Whole imports, each in one transaction: everything or nothing, ``dry_run`` rolls back.

The management commands and the staff import page call these; parsing lives in
``reddit.py`` / ``stackexchange.py`` and writing in ``save.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TypeVar

from django.db import reset_queries, transaction

from kb.importers.base import Thread
from kb.importers.save import BATCH_SIZE, ImportReport, ImportWriter, save_threads
from kb.importers.stackexchange import ANSWER, QUESTION, Dump, Row

T = TypeVar("T")
REDDIT_USER_PREFIX = "reddit~"
REDDIT_USERS_FROM = "reddit"


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def import_reddit_thread(thread: Thread, *, dry_run: bool = False) -> ImportReport:
    source = f"reddit:{thread.site}" if thread.site else "reddit"
    return _in_transaction(
        lambda: save_threads(
            [thread], source=source, user_prefix=REDDIT_USER_PREFIX, users_from=REDDIT_USERS_FROM
        ),
        dry_run,
    )


def stackexchange_source(site_name: str) -> str:
    return f"stackexchange:{site_name}"[:100]


def import_stackexchange_dump(
    dump: Dump,
    *,
    site_name: str,
    limit: int | None = None,
    dry_run: bool = False,
    progress: Callable[[str, int], Callable[[], None]] | None = None,
) -> ImportReport:
    """Users, then questions, answers, comments and links, each streamed in batches.

    ``limit`` keeps the first N questions; answers and comments of the others are
    passed over. ``progress(label, total)`` returns a function called once per row.
    """
    site_slug = re.sub(r"[^a-z0-9.-]+", "-", site_name.lower())[:60]
    writer = ImportWriter(
        source=stackexchange_source(site_name),
        user_prefix=f"se~{site_slug}~",
        users_from=stackexchange_source(site_name),
    )
    tick = progress or (lambda label, total: lambda: None)

    def run() -> ImportReport:
        for batch in _batches(dump.users()):
            writer.save_users(batch)
        rows = dump.count_rows("Posts.xml") if progress else 0
        other_posts: set[str] = set()  # tag wikis: their comments are passed over
        step = tick("Questions", rows)

        def note(row: Row) -> None:
            step()
            if row.get("PostTypeId") not in (QUESTION, ANSWER):
                other_posts.add(row.get("Id"))

        questions = dump.posts(QUESTION, on_row=note)
        if limit is not None:
            questions = islice(questions, limit)
        for batch in _batches(questions):
            writer.save_posts(batch)
        step = tick("Answers", rows)
        answers = dump.posts(ANSWER, on_row=lambda row: step())
        for batch in _batches(answers):
            if limit is not None:
                batch = writer.only_with_known_parents(batch)
            writer.save_posts(batch)
        step = tick("Comments", dump.count_rows("Comments.xml") if progress else 0)
        for batch in _batches(_ticking(dump.comments(), step)):
            batch = [comment for comment in batch if comment.post_source_id not in other_posts]
            if limit is not None:
                batch = writer.only_on_known_posts(batch)
            writer.save_comments(batch)
        for batch in _batches(dump.links()):
            writer.save_links(batch)
        return writer.finish(drop_unused_users=True)

    return _in_transaction(run, dry_run)


def _in_transaction(work: Callable[[], ImportReport], dry_run: bool) -> ImportReport:
    report = None
    try:
        with transaction.atomic():
            report = work()
            if dry_run:
                raise _DryRun
    except _DryRun:
        report.dry_run = True
        report.first_post_url = ""
    return report


def _ticking(items: Iterable[T], step: Callable[[], None]) -> Iterator[T]:
    for item in items:
        step()
        yield item


def _batches(items: Iterable[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
        # With DEBUG on, Django keeps every query's SQL (bodies included): memory would
        # grow with the dump.
        reset_queries()
