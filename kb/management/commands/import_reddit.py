"""Import a Reddit thread from the JSON Reddit serves for it (``/comments/<id>/.json``).

    manage.py import_reddit thread.json [--tags career,salary] [--as-experience] [--dry-run]

The post becomes a question (or, with ``--as-experience``, an experience post), top-level
comments its answers, replies comments on their answer. Authors become inactive placeholder
users. Idempotent (a second run creates nothing) and all-or-nothing: a bad file gives a
one-line error naming the file and the place, and leaves the database as it was.
"""

from django.core.management.base import BaseCommand, CommandError

from kb.importers import reddit
from kb.importers.base import ImportFileError
from kb.importers.run import import_reddit_thread
from kb.tags import parse_tag_input


class Command(BaseCommand):
    help = "Import a Reddit thread JSON file (/comments/<id>/.json) as a question with answers."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the thread's JSON file")
        parser.add_argument(
            "--tags", default="", help="comma-separated tags (default: subreddit, flair)"
        )
        parser.add_argument(
            "--as-experience", action="store_true", help="import as an experience post"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="parse and count, change nothing"
        )

    def handle(self, *args, **options):
        try:
            thread = reddit.parse_file(
                options["file"],
                as_experience=options["as_experience"],
                tags=parse_tag_input(options["tags"]),
            )
            report = import_reddit_thread(thread, dry_run=options["dry_run"])
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(report.summary())
        if report.first_post_url:
            self.stdout.write(f"See {report.first_post_url}")
