"""Import a Stack Exchange data dump folder (Posts.xml, Comments.xml, Users.xml, PostLinks.xml).

    manage.py import_stackexchange DIR [--site-name workplace.stackexchange.com] [--limit N]
                                       [--dry-run]

Questions, answers, accepted answers, comments, duplicate and related links; authors become
inactive placeholder users. The files are streamed row by row (flat memory), written in
batches, and the search index is updated after the commit. A progress bar shows on a
terminal. Idempotent and all-or-nothing: a malformed file gives a one-line error naming the
file and the line, and the database stays as it was. ``--site-name`` is the site's host
name, used for the links back and the CC BY-SA attribution (default: the folder's name).
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kb.importers.base import ImportFileError
from kb.importers.run import import_stackexchange_dump
from kb.importers.stackexchange import Dump


class Command(BaseCommand):
    help = "Import a Stack Exchange data dump folder."

    def add_arguments(self, parser):
        parser.add_argument("dir", help="the dump folder (Posts.xml, Comments.xml, Users.xml ...)")
        parser.add_argument("--site-name", default="", help="e.g. workplace.stackexchange.com")
        parser.add_argument("--limit", type=int, default=None, help="import the first N questions")
        parser.add_argument(
            "--dry-run", action="store_true", help="parse and count, change nothing"
        )

    def handle(self, *args, **options):
        folder = Path(options["dir"])
        site_name = options["site_name"] or folder.resolve().name
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        bars = []
        try:
            dump = Dump(folder, site_url=f"https://{site_name}" if "." in site_name else "")
            report = import_stackexchange_dump(
                dump,
                site_name=site_name,
                limit=options["limit"],
                dry_run=options["dry_run"],
                progress=self._progress_bar(bars) if sys.stderr.isatty() else None,
            )
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        finally:
            for bar in bars:
                bar.close()
        self.stdout.write(report.summary())

    def _progress_bar(self, bars):
        from tqdm import tqdm

        def start(label: str, total: int):
            for bar in bars:
                bar.close()
            bar = tqdm(total=total or None, desc=label, unit=" rows", file=sys.stderr)
            bars.append(bar)
            return bar.update

        return start
