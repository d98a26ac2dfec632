"""Make this machine's site ready to serve, and say what it does (``make run`` runs it first).

    manage.py setup_site

Applies missing migrations, loads the demo community into a database without posts, and builds
the search index when there is none (or one of an older layout, or vectors are missing). Each
step that does something prints one short line; a later run where nothing is missing prints
nothing, so the server starts quietly.
"""

from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from kb import search
from kb.models import Post
from kb.search import vectors


class Command(BaseCommand):
    help = "Migrate, load the demo into an empty database, build a missing search index."

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        # The embedded default keeps its database and index here; a new KB_VAR_DIR is made.
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        self._migrate()
        self._load_demo()
        self._build_index()

    def _say(self, line: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(line)

    def _migrate(self) -> None:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            self._say(f"Migrating the database ({len(plan)} migrations)…")
            call_command("migrate", interactive=False, verbosity=0)

    def _load_demo(self) -> None:
        if Post.objects.exists():
            return
        self._say("Loading the demo community and indexing it for search…")
        out = self.stdout if self.verbosity >= 1 else StringIO()  # load_demo always reports
        call_command("load_demo", if_empty=True, stdout=out)

    def _build_index(self) -> None:
        engine = search.get_backend()
        if engine.exists() and not engine.is_outdated() and not vectors.outdated():
            return
        self._say(f"Building the search index ({engine.name})…")
        call_command("rebuild_index", if_missing=True, stdout=self.stdout, verbosity=self.verbosity)
