"""Rebuild the search index from the database (the database is the truth).

    manage.py rebuild_index [--backend whoosh|postgres|tantivy] [--if-missing]

``--if-missing`` builds only when there is no index yet, or only one of an older layout
(``make run`` uses it, so a fresh clone or an upgrade gets an index and a restart does not
rebuild one). A progress bar shows on a terminal.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from tqdm import tqdm

from kb import search
from kb.models import Post
from kb.search.documents import iter_all_documents


class Command(BaseCommand):
    help = "Rebuild the search index from the database."

    def add_arguments(self, parser):
        parser.add_argument("--backend", choices=settings.SEARCH_BACKENDS, default=None)
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="only build when no index, or an outdated one, exists",
        )

    def handle(self, *args, backend=None, if_missing=False, **options):
        engine = search.get_backend(backend)
        if engine.name == "postgres" and connection.vendor != "postgresql":
            raise CommandError("The postgres engine needs KB_DATABASE_URL=postgres://…")
        if if_missing and engine.exists() and not engine.is_outdated():
            if options["verbosity"] >= 2:
                self.stdout.write(f"The {engine.name} index exists; nothing to do.")
            return
        total = Post.objects.visible().count()
        with tqdm(
            total=total,
            unit="post",
            desc=f"Indexing ({engine.name})",
            disable=not self.stdout.isatty() or options["verbosity"] == 0,
        ) as bar:
            count = engine.rebuild(iter_all_documents(), bar.update)
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(f"Indexed {count} posts with {engine.name}."))
