"""Report posts missing from, stale in, or wrongly left in the search index.

    manage.py check_index [--backend whoosh|postgres|tantivy]

Exits 1 when the index has drifted from the database (fix it with ``rebuild_index``).
"""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from kb import search
from kb.search.documents import iter_all_documents

SHOW = 20


class Command(BaseCommand):
    help = "Compare the search index with the database; exit 1 on drift."

    def add_arguments(self, parser):
        parser.add_argument("--backend", choices=settings.SEARCH_BACKENDS, default=None)

    def handle(self, *args, backend=None, **options):
        engine = search.get_backend(backend)
        if engine.name == "postgres" and connection.vendor != "postgresql":
            raise CommandError("The postgres engine needs KB_DATABASE_URL=postgres://…")
        indexed = engine.fingerprints() if engine.exists() else {}
        expected = {document.id: document.fingerprint for document in iter_all_documents()}
        missing = sorted(set(expected) - set(indexed))
        extra = sorted(set(indexed) - set(expected))
        stale = sorted(pk for pk in set(expected) & set(indexed) if expected[pk] != indexed[pk])
        self.stdout.write(
            f"{engine.name}: {len(expected)} posts to index, {len(indexed)} in the index."
        )
        for label, ids in (("missing", missing), ("stale", stale), ("deleted or gone", extra)):
            if ids:
                shown = ", ".join(map(str, ids[:SHOW])) + (" …" if len(ids) > SHOW else "")
                self.stdout.write(f"{len(ids)} {label}: {shown}")
        if missing or stale or extra:
            self.stdout.write(self.style.ERROR("Drift found: run manage.py rebuild_index."))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS("The index matches the database."))
