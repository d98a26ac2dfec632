"""Report posts missing from, stale in, or wrongly left in the search index and the vectors.

    manage.py check_index [--backend whoosh|postgres|tantivy]

Exits 1 when the index or the vectors have drifted from the database (fix it with
``rebuild_index``). Vectors are checked only while ``KB_SEMANTIC_SEARCH`` is on.
"""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from kb import search
from kb.models import PostVector
from kb.search import vectors
from kb.search.documents import iter_all_documents

SHOW = 20


class Command(BaseCommand):
    help = "Compare the search index and the vectors with the database; exit 1 on drift."

    def add_arguments(self, parser):
        parser.add_argument("--backend", choices=settings.SEARCH_BACKENDS, default=None)

    def handle(self, *args, backend=None, **options):
        engine = search.get_backend(backend)
        if engine.name == "postgres" and connection.vendor != "postgresql":
            raise CommandError("The postgres engine needs KB_DATABASE_URL=postgres://…")
        drifted = self._check_index(engine)
        if vectors.enabled():
            drifted = self._check_vectors() or drifted
        if drifted:
            self.stdout.write(self.style.ERROR("Drift found: run manage.py rebuild_index."))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS("The index matches the database."))

    def _check_index(self, engine) -> bool:
        indexed = engine.fingerprints() if engine.exists() else {}
        expected = {document.id: document.fingerprint for document in iter_all_documents()}
        missing = sorted(set(expected) - set(indexed))
        extra = sorted(set(indexed) - set(expected))
        stale = sorted(pk for pk in set(expected) & set(indexed) if expected[pk] != indexed[pk])
        self.stdout.write(
            f"{engine.name}: {len(expected)} posts to index, {len(indexed)} in the index."
        )
        self._report("missing", missing)
        self._report("stale", stale)
        self._report("deleted or gone", extra)
        return bool(missing or stale or extra)

    def _check_vectors(self) -> bool:
        expected = vectors.posts_to_embed().count()
        stored = PostVector.objects.exclude(checksum="").count()
        self.stdout.write(f"vectors: {expected} posts to embed, {stored} vectors.")
        found = vectors.drift()
        self._report("missing vectors", found["missing"])
        self._report("stale vectors", found["stale"])
        self._report("vectors of deleted or gone posts", found["extra"])
        return any(found.values())

    def _report(self, label, ids):
        if ids:
            shown = ", ".join(map(str, ids[:SHOW])) + (" …" if len(ids) > SHOW else "")
            self.stdout.write(f"{len(ids)} {label}: {shown}")
