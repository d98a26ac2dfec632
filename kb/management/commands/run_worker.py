"""The worker: runs the queued tasks (notification e-mails) and, on a schedule, the e-mail
sweep and the digests.

    manage.py run_worker [--interval 1] [--schedule-every 300] [--no-schedule] [--once]

`make run` starts it beside the development server; in production run it as its own process
(README, "E-mail"), one or several: tasks are claimed one worker at a time, and the scheduled
jobs are safe to run concurrently (each e-mail is claimed before it is sent; a digest is
recorded once per member and period). The queue is django-tasks' database backend
(``KB_TASKS_BACKEND=database``, the default); with another backend only the schedule runs.

Ctrl-C or SIGTERM lets the task or scheduled job at hand finish, then stops; a second one
stops at once.
"""

import logging
import signal
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils.crypto import get_random_string
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from kb import emails
from kb.advice import send_outcome_reminders
from kb.email_models import DIGEST_PERIODS

logger = logging.getLogger("kb.worker")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)


class Command(BaseCommand):
    help = "Run queued tasks (notification e-mails) and the scheduled e-mail sweep and digests."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds to wait when the queue is empty (default 1)",
        )
        parser.add_argument(
            "--schedule-every",
            type=int,
            default=300,
            help="seconds between runs of the e-mail sweep and the digests (default 300)",
        )
        parser.add_argument(
            "--no-schedule",
            action="store_true",
            help="run queued tasks only (when cron runs send_digests and send_overdue_email)",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="run what is queued and the scheduled jobs once, then stop",
        )

    def handle(self, *args, interval, schedule_every, no_schedule, once, **options):
        if interval < 0 or schedule_every < 1:
            raise CommandError("--interval must be 0 or more and --schedule-every 1 or more")
        self._quiet_library_logs(options["verbosity"])
        uses_queue = isinstance(task_backends["default"], DatabaseBackend)
        worker = Worker(
            queue_names=["default"],
            interval=0,
            batch=True,  # run what is ready, then come back here for the schedule
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        if options["verbosity"] >= 1:
            queue = "queued tasks" if uses_queue else "no queue (KB_TASKS_BACKEND is not database)"
            schedule = "no schedule" if no_schedule else f"e-mail jobs every {schedule_every} s"
            self.stdout.write(f"Worker started: {queue}, {schedule}.")
        previous_handlers = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
        if threading.current_thread() is threading.main_thread():  # else Python refuses
            worker.configure_signals()
        try:
            self._loop(worker, uses_queue, interval, None if no_schedule else schedule_every, once)
        finally:
            if threading.current_thread() is threading.main_thread():
                for sig, handler in previous_handlers.items():
                    signal.signal(sig, handler)

    def _loop(self, worker, uses_queue, interval, schedule_every, once):
        next_schedule = 0.0
        while worker.running:
            if uses_queue:
                worker.run()
            if schedule_every is not None and time.monotonic() >= next_schedule:
                self._run_schedule(worker)
                next_schedule = time.monotonic() + schedule_every
            if once:
                break
            if worker.running:
                time.sleep(interval)

    def _run_schedule(self, worker: Worker) -> None:
        # Marked busy, so a Ctrl-C lets the job finish: a claimed e-mail is never dropped.
        worker.running_task = True
        close_old_connections()
        try:
            run_scheduled_email_jobs()
        except Exception:
            # One failed run must not stop the worker: the next run tries again.
            logger.exception("The scheduled e-mail jobs failed")
        finally:
            worker.running_task = False
            close_old_connections()

    @staticmethod
    def _quiet_library_logs(verbosity: int) -> None:
        # The library's worker says "starting" and "no more tasks" on every pass of the loop;
        # task starts and ends (django_tasks) stay at INFO.
        logging.getLogger("django_tasks_db").setLevel(
            logging.DEBUG if verbosity >= 2 else logging.WARNING
        )
        tasks_logger = logging.getLogger("django_tasks")
        tasks_logger.setLevel(logging.INFO if verbosity >= 1 else logging.WARNING)
        if not tasks_logger.hasHandlers():
            tasks_logger.addHandler(logging.StreamHandler())


def run_scheduled_email_jobs() -> None:
    """Outcome reminders that are due, the sweep, then each digest period (all idempotent;
    a new reminder is mailed by the sweep or a digest, as its member chose)."""
    reminded = send_outcome_reminders()
    if reminded:
        logger.info("Sent %s outcome reminder(s)", len(reminded))
    sent = emails.sweep()
    if sent:
        logger.info("Sent %s overdue e-mail(s)", sent)
    for period in DIGEST_PERIODS:
        run = emails.send_digests(period)
        if run.sent:
            logger.info("Sent %s %s digest(s)", len(run.sent), period)
