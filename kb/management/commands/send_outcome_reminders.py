"""Ask askers how it went, once: a notification some months after they accepted an answer.

    manage.py send_outcome_reminders [--dry-run]

The task worker (`manage.py run_worker`) runs it on its schedule, or run it daily from
cron. A question is due when its answer was accepted
``KB_OUTCOME_REMINDER_MONTHS`` ago or more, it is not deleted, has no outcome and was never
reminded; each reminder is recorded on the question, so running twice sends nothing twice.
``--dry-run`` lists the questions that are due and changes nothing.
"""

from django.core.management.base import BaseCommand

from kb.advice import send_outcome_reminders


class Command(BaseCommand):
    help = "Send the outcome reminders that are due (once per question)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List who is due; send nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        questions = send_outcome_reminders(dry_run=dry_run)
        for question in questions:
            self.stdout.write(f"  #{question.pk} {question.title}")
        verb = "would be reminded (dry run)" if dry_run else "reminded"
        count = len(questions)
        self.stdout.write(f"{count} asker{'s' if count != 1 else ''} {verb}.")
