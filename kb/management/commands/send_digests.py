"""Send the daily or weekly e-mail digests: one e-mail per member grouping their unmailed
notifications of that frequency (their e-mail settings).

    manage.py send_digests [--period daily|weekly] [--dry-run]

Without ``--period``, both. Idempotent: a member gets at most one digest per period (a day
from ``KB_DIGEST_HOUR``, a week from that hour on Monday), however often this runs, so the
worker's schedule runs it every few minutes, and cron may run it too (README, "E-mail").
A mail server that fails stops the run; what it did not send is sent by the next run.
"""

from django.core.management.base import BaseCommand

from kb import emails
from kb.email_models import DIGEST_PERIODS


class Command(BaseCommand):
    help = "Send the daily and/or weekly notification digests (at most one per member and period)."

    def add_arguments(self, parser):
        parser.add_argument("--period", choices=[period.value for period in DIGEST_PERIODS])
        parser.add_argument(
            "--dry-run", action="store_true", help="say who would get a digest; send nothing"
        )

    def handle(self, *args, period=None, dry_run=False, **options):
        periods = [period] if period else [period.value for period in DIGEST_PERIODS]
        for name in periods:
            run = emails.send_digests(name, dry_run=dry_run)
            self._report(run, dry_run, options["verbosity"])

    def _report(self, run: emails.DigestRun, dry_run: bool, verbosity: int) -> None:
        if verbosity < 1:
            return
        verb = "Would send" if dry_run else "Sent"
        since = f"{run.period_start:%Y-%m-%d %H:%M}"
        self.stdout.write(
            f"{verb} {len(run.sent)} {run.period} digest(s) for the period from {since}, "
            f"holding {run.notification_count} notification(s)."
        )
        if dry_run and verbosity >= 2:
            for member, count in run.sent.items():
                self.stdout.write(f"  {member.username}: {count}")
        if run.failed:
            self.stderr.write(
                "The mail server failed; the remaining digests go out on the next run."
            )
