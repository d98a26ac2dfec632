"""Send the immediate notification e-mails that are still unmailed some minutes on (the sweep).

    manage.py send_overdue_email [--dry-run]

Their task was lost, or gave up while the mail server was down: anything unmailed
``KB_EMAIL_SWEEP_AFTER_MINUTES`` after it happened (and at most ``KB_EMAIL_SWEEP_MAX_AGE_DAYS``
old) goes now. The worker's schedule runs it every few minutes; cron may run it too.
"""

from django.core.management.base import BaseCommand

from kb import emails


class Command(BaseCommand):
    help = "Send immediate notification e-mails still unmailed after KB_EMAIL_SWEEP_AFTER_MINUTES."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="count what is overdue; send nothing"
        )

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            count = len(emails.overdue())
            self.stdout.write(f"{count} overdue e-mail(s) would be sent.")
            return
        sent = emails.sweep()
        if options["verbosity"] >= 1:
            self.stdout.write(f"Sent {sent} overdue e-mail(s).")
