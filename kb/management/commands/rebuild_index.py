"""Rebuild the search index and the posts' vectors from the database (the database is the truth).

    manage.py rebuild_index [--backend whoosh|postgres|tantivy] [--if-missing]

``--if-missing`` builds the index only when there is none yet, or only one of an older layout
(``make run`` uses it, so a fresh clone or an upgrade gets an index and a restart does not
rebuild one); vectors are then filled only when some are missing, left for deleted posts or
made by another model. Vectors whose text is unchanged are always kept, never re-encoded;
with ``KB_SEMANTIC_SEARCH`` off there are none. A progress bar shows on a terminal.
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from tqdm import tqdm

from kb import search
from kb.models import Post
from kb.search import vectors
from kb.search.documents import iter_all_documents


class Command(BaseCommand):
    help = "Rebuild the search index and the posts' vectors from the database."

    def add_arguments(self, parser):
        parser.add_argument("--backend", choices=settings.SEARCH_BACKENDS, default=None)
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="only build when no index, or an outdated one, exists (and vectors are missing)",
        )

    def handle(self, *args, backend=None, if_missing=False, **options):
        engine = search.get_backend(backend)
        if engine.name == "postgres" and connection.vendor != "postgresql":
            raise CommandError("The postgres engine needs KB_DATABASE_URL=postgres://…")
        verbosity = options["verbosity"]
        if if_missing and engine.exists() and not engine.is_outdated():
            if verbosity >= 2:
                self.stdout.write(f"The {engine.name} index exists; nothing to do.")
        else:
            self._rebuild_index(engine, verbosity)
        if not vectors.enabled():
            return
        if if_missing and not vectors.outdated():
            if verbosity >= 2:
                self.stdout.write("The vectors are up to date; nothing to do.")
            return
        self._rebuild_vectors(verbosity)

    def _rebuild_index(self, engine, verbosity):
        with self._bar(
            Post.objects.public().count(), f"Indexing ({engine.name})", verbosity
        ) as bar:
            count = engine.rebuild(iter_all_documents(), bar.update)
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f"Indexed {count} posts with {engine.name}."))

    def _rebuild_vectors(self, verbosity):
        with self._bar(vectors.posts_to_embed().count(), "Embedding", verbosity) as bar:
            count = vectors.rebuild(bar.update, threads=os.cpu_count())
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f"Vectors for {count} posts are up to date."))

    def _bar(self, total, description, verbosity):
        return tqdm(
            total=total,
            unit="post",
            desc=description,
            disable=not self.stdout.isatty() or verbosity == 0,
        )
