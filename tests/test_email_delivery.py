"""Delivery: the durable queue (django-tasks' database backend) and its worker, retries while
the mail server is down, the sweep, and one real SMTP server (aiosmtpd) started in the test.

Nothing is lost while the mail server is down, and nothing is sent twice once it is back."""

import email
import email.policy
import socket
from datetime import timedelta
from io import StringIO

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from kb import emails
from kb.email_models import EmailPreference, Frequency
from kb.inbox_models import Notification
from tests.factories import make_answer, make_comment, make_question, make_user, signup_form
from tests.mail_backends import BOUNCING_BACKEND, DOWN_BACKEND, REFUSING_BACKEND

Kind = Notification.Kind
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
SEND_TASK = "kb.tasks.send_notification_email"


# The worker runs outside any transaction and closes stale connections as it goes, as in
# production: its tests commit for real (a test's enclosing transaction would be closed).
runs_the_worker = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_queue(settings):
    """The production queue: tasks wait in the database until a worker runs them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def run_worker(*args) -> str:
    """One pass of the worker: every task that is due, no schedule."""
    out = StringIO()
    call_command("run_worker", "--once", "--no-schedule", *args, stdout=out)
    return out.getvalue()


def waiting_tasks(task_path=SEND_TASK):
    return DBTaskResult.objects.filter(task_path=task_path, status="READY")


def time_passes():
    """The retry's wait is over (the tests do not sleep)."""
    DBTaskResult.objects.filter(status="READY").update(
        run_after=timezone.now() - timedelta(seconds=1)
    )


def answer_question(committed, alice, bob):
    question = make_question(alice)
    with committed():
        make_answer(question, author=bob)
    return Notification.objects.get(recipient=alice)


# -- the queue ---------------------------------------------------------------------------


@runs_the_worker
def test_the_request_only_enqueues_and_the_worker_sends(
    alice, bob, client, database_queue, committed, mailoutbox
):
    question = make_question(alice)
    client.force_login(bob)
    with committed():
        response = client.post(
            f"/questions/{question.pk}/answer/", {"body": "Take the startup offer, then switch."}
        )
    assert response.status_code == 302
    assert mailoutbox == []  # not in the request
    task = waiting_tasks().get()
    note = Notification.objects.get(recipient=alice)
    assert task.args_kwargs == {"args": [note.pk], "kwargs": {}}
    output = run_worker()
    assert "Worker started: queued tasks, no schedule." in output
    assert len(mailoutbox) == 1
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert DBTaskResult.objects.get().return_value == "sent"


def test_only_immediate_notifications_are_enqueued(alice, bob, database_queue, committed):
    question = make_question(alice)
    with committed():
        make_comment(question, author=bob)  # daily by default
    assert not waiting_tasks().exists()


def test_a_queue_that_fails_loses_no_e_mail_and_no_answer(
    alice, bob, client, committed, mailoutbox, monkeypatch, caplog
):
    from django_tasks.backends.immediate import ImmediateBackend

    def broken(*args, **kwargs):
        raise RuntimeError("the queue is down")

    monkeypatch.setattr(ImmediateBackend, "enqueue", broken)
    question = make_question(alice)
    client.force_login(bob)
    with committed():
        response = client.post(
            f"/questions/{question.pk}/answer/", {"body": "Go for it, and keep a foot in research."}
        )
    assert response.status_code == 302
    assert "Could not enqueue the e-mail for notification" in caplog.text
    assert mailoutbox == []
    late = timezone.now() + timedelta(minutes=20)
    assert emails.sweep(now=late) == 1  # the sweep sends it later
    assert len(mailoutbox) == 1


# -- the mail server is down ---------------------------------------------------------------


@runs_the_worker
@pytest.mark.parametrize("down", [DOWN_BACKEND, REFUSING_BACKEND])
def test_smtp_down_sends_nothing_and_loses_nothing_then_sends_exactly_once(
    down, alice, bob, database_queue, committed, mailoutbox, settings
):
    settings.EMAIL_BACKEND = down
    note = answer_question(committed, alice, bob)
    run_worker()
    note.refresh_from_db()
    assert note.emailed_at is None
    retry = waiting_tasks().get()
    assert retry.args_kwargs == {"args": [note.pk, 2], "kwargs": {}}
    wait = retry.run_after - timezone.now()
    assert timedelta(seconds=50) < wait <= timedelta(seconds=60)
    run_worker()  # not due yet: nothing happens
    assert waiting_tasks().get() == retry

    settings.EMAIL_BACKEND = LOCMEM
    time_passes()
    run_worker()
    assert len(mailoutbox) == 1
    note.refresh_from_db()
    assert note.emailed_at is not None
    assert not waiting_tasks().exists()
    assert emails.sweep(now=timezone.now() + timedelta(hours=1)) == 0
    run_worker()
    assert len(mailoutbox) == 1


@runs_the_worker
def test_retries_back_off_then_the_sweep_takes_over(
    alice, bob, database_queue, committed, mailoutbox, settings
):
    settings.EMAIL_BACKEND = DOWN_BACKEND
    settings.EMAIL_MAX_ATTEMPTS = 3
    note = answer_question(committed, alice, bob)
    waits = []
    for _ in range(3):
        run_worker()
        retry = waiting_tasks().first()
        if retry:
            waits.append(round((retry.run_after - timezone.now()).total_seconds() / 60))
            time_passes()
    assert waits == [1, 2]  # then it gave up: three attempts in all
    assert not waiting_tasks().exists()
    assert DBTaskResult.objects.filter(return_value="left to the sweep").count() == 1

    late = note.created_at + timedelta(minutes=settings.EMAIL_SWEEP_AFTER_MINUTES + 1)
    assert emails.sweep(now=late) == 0  # still down: kept for the next sweep
    settings.EMAIL_BACKEND = LOCMEM
    assert emails.sweep(now=late) == 1
    assert emails.sweep(now=late) == 0
    assert len(mailoutbox) == 1


def test_without_a_database_queue_a_failed_send_waits_for_the_sweep(
    alice, bob, committed, mailoutbox, settings
):
    settings.EMAIL_BACKEND = DOWN_BACKEND
    note = answer_question(committed, alice, bob)  # the immediate backend: no run_after
    note.refresh_from_db()
    assert note.emailed_at is None
    settings.EMAIL_BACKEND = LOCMEM
    assert emails.sweep(now=timezone.now() + timedelta(minutes=16)) == 1


def test_the_retry_delay_doubles(settings):
    settings.EMAIL_RETRY_SECONDS = 60
    assert [emails.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]


# -- the verification link -----------------------------------------------------------------

VERIFY_TASK = "accounts.tasks.send_verification_email"
SIGNUP = signup_form()


@runs_the_worker
def test_signing_up_queues_the_link_and_a_down_mail_server_only_delays_it(
    client, database_queue, mailoutbox, settings
):
    settings.EMAIL_BACKEND = DOWN_BACKEND
    response = client.post("/accounts/signup/", SIGNUP, follow=True)
    page = response.content.decode()
    assert "Welcome to CareerKB" in page
    assert "we sent a link to maya@example.com" in page  # the banner: no second message
    assert "We are sending a link" not in page
    maya = User.objects.get(username="maya")
    queued = waiting_tasks(VERIFY_TASK).get()
    assert queued.args_kwargs == {"args": [maya.pk, "http://testserver/"], "kwargs": {}}
    assert mailoutbox == []  # not in the request

    run_worker()
    retry = waiting_tasks(VERIFY_TASK).get()
    assert retry.args_kwargs["args"] == [maya.pk, "http://testserver/", 2]
    settings.EMAIL_BACKEND = LOCMEM
    time_passes()
    run_worker()
    assert [message.to for message in mailoutbox] == [["maya@example.com"]]
    assert "http://testserver/accounts/verify/" in mailoutbox[0].body
    assert not waiting_tasks(VERIFY_TASK).exists()


@runs_the_worker
def test_a_link_queued_for_an_address_confirmed_meanwhile_is_not_sent(
    client, database_queue, mailoutbox
):
    client.post("/accounts/signup/", SIGNUP)
    User.objects.filter(username="maya").update(email_verified_at=timezone.now())
    run_worker()
    assert mailoutbox == []
    assert DBTaskResult.objects.get(task_path=VERIFY_TASK).return_value == "nothing to send"


@runs_the_worker
def test_a_password_reset_is_queued_and_retried_while_the_mail_server_is_down(
    alice, client, database_queue, mailoutbox, settings
):
    settings.EMAIL_BACKEND = DOWN_BACKEND
    response = client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    assert response.status_code == 302
    assert mailoutbox == []  # not in the request
    run_worker()
    retry = waiting_tasks("accounts.tasks.send_email").get()
    assert retry.args_kwargs["args"][2:] == ["alice@example.com", 2]
    settings.EMAIL_BACKEND = LOCMEM
    time_passes()
    run_worker()
    assert [message.to for message in mailoutbox] == [["alice@example.com"]]
    assert "http://testserver/accounts/password/reset/" in mailoutbox[0].body
    assert "\n" not in mailoutbox[0].subject


def test_a_queue_that_is_down_still_signs_the_member_up_and_says_so(
    db, client, mailoutbox, monkeypatch, caplog
):
    from django_tasks.backends.immediate import ImmediateBackend

    def broken(*args, **kwargs):
        raise RuntimeError("the queue is down")

    monkeypatch.setattr(ImmediateBackend, "enqueue", broken)
    response = client.post("/accounts/signup/", SIGNUP, follow=True)
    assert response.status_code == 200
    assert User.objects.filter(username="maya").exists()
    assert "could not send the link" in response.content.decode()
    assert "Could not queue the verification e-mail" in caplog.text
    assert mailoutbox == []


# -- the sweep -----------------------------------------------------------------------------


def test_the_sweep_sends_only_overdue_immediate_e_mails_in_its_window(alice, bob, settings):
    question = make_question(alice)
    make_answer(question, author=bob)  # never enqueued: no commit in this test
    make_comment(question, author=bob)  # daily: the digest's
    created = Notification.objects.get(kind=Kind.ANSWER).created_at
    assert emails.overdue(now=created + timedelta(minutes=5)) == []  # its task may still run
    due = emails.overdue(now=created + timedelta(minutes=16))
    assert [note.kind for note in due] == [Kind.ANSWER]
    too_old = created + timedelta(days=settings.EMAIL_SWEEP_MAX_AGE_DAYS, minutes=1)
    assert emails.overdue(now=too_old) == []


def test_the_sweep_stops_at_the_first_failure_and_keeps_everything(
    alice, bob, settings, mailoutbox
):
    for _ in range(3):
        make_answer(make_question(alice), author=bob)
    settings.EMAIL_BACKEND = DOWN_BACKEND
    late = timezone.now() + timedelta(minutes=20)
    assert emails.sweep(now=late) == 0
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 3
    settings.EMAIL_BACKEND = LOCMEM
    assert emails.sweep(now=late) == 3
    assert len(mailoutbox) == 3


def test_an_address_refused_for_good_holds_up_no_one_and_is_not_retried(
    alice, bob, settings, mailoutbox
):
    bounced = make_user("gone", email="gone@bounced.example")  # older notes, lower id
    make_answer(make_question(bounced), author=bob)
    make_answer(make_question(alice), author=bob)
    for member in (bounced, alice):
        make_comment(make_question(member), author=bob)  # daily digest
    settings.EMAIL_BACKEND = BOUNCING_BACKEND
    late = timezone.now() + timedelta(minutes=20)
    assert emails.sweep(now=late) == 1  # alice's, after the refused one
    assert emails.send_digests("daily", now=late + timedelta(days=1)).sent == {alice: 1}
    assert [message.to for message in mailoutbox] == [["alice@example.com"]] * 2
    assert emails.sweep(now=late) == 0  # the refused address is not tried again
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_an_immediate_e_mail_refused_for_good_is_not_retried(bob, settings, committed):
    settings.EMAIL_BACKEND = BOUNCING_BACKEND
    bounced = make_user("gone", email="gone@bounced.example")
    note = answer_question(committed, bounced, bob)
    assert emails.send_immediate(note.pk) == "nothing to send"  # claimed by the first try
    note.refresh_from_db()
    assert note.emailed_at is not None


def test_the_sweep_follows_changed_preferences(alice, bob, mailoutbox):
    make_answer(make_question(alice), author=bob)
    EmailPreference.objects.set_frequency(alice, Kind.ANSWER, Frequency.NEVER)
    assert emails.sweep(now=timezone.now() + timedelta(minutes=20)) == 0
    assert mailoutbox == []


def test_send_overdue_email_command(alice, bob, mailoutbox, settings):
    make_answer(make_question(alice), author=bob)
    settings.EMAIL_SWEEP_AFTER_MINUTES = 1
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    out = StringIO()
    call_command("send_overdue_email", "--dry-run", stdout=out)
    assert "1 overdue e-mail(s) would be sent." in out.getvalue()
    assert mailoutbox == []
    call_command("send_overdue_email", stdout=out)
    assert "Sent 1 overdue e-mail(s)." in out.getvalue()
    assert len(mailoutbox) == 1


# -- the worker's schedule -------------------------------------------------------------------


@runs_the_worker
def test_the_worker_schedule_runs_the_sweep_and_the_digests(alice, bob, mailoutbox):
    question = make_question(alice)
    make_answer(question, author=bob)
    make_comment(question, author=bob)
    # Before today's digest period began: overdue for the sweep, due for the daily digest.
    Notification.objects.update(created_at=emails.period_start("daily") - timedelta(minutes=1))
    out = StringIO()
    call_command("run_worker", "--once", stdout=out)
    assert "no queue (KB_TASKS_BACKEND is not database), e-mail jobs every 300 s" in (
        out.getvalue()
    )
    subjects = sorted(mail.subject for mail in mailoutbox)
    assert subjects[0].startswith("Bob Other answered your question")
    assert subjects[1] == "Your CareerKB daily digest: 1 new thing for you"
    call_command("run_worker", "--once", stdout=out)
    assert len(mailoutbox) == 2


@runs_the_worker
def test_the_worker_restores_the_signal_handlers_it_replaced():
    import signal

    before = signal.getsignal(signal.SIGINT)
    run_worker()
    assert signal.getsignal(signal.SIGINT) is before


# -- a real SMTP server --------------------------------------------------------------------


class _Inbox:
    """aiosmtpd handler: keeps what it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd names it
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@runs_the_worker
def test_a_real_smtp_server_that_was_down_gets_the_e_mail_exactly_once(
    alice, bob, database_queue, committed, settings
):
    port = _free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.SITE_URL = "https://careerkb.example"
    question = make_question(alice, title="Should I leave my PhD for a startup?")
    with committed():
        answer = make_answer(question, author=bob, body="I did, and do not regret it.")
    run_worker()  # nothing listens on the port yet
    assert Notification.objects.get(recipient=alice).emailed_at is None

    inbox = _Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        time_passes()
        run_worker()
        emails.sweep(now=timezone.now() + timedelta(hours=1))
        run_worker()
    finally:
        server.stop()
    assert len(inbox.envelopes) == 1
    envelope = inbox.envelopes[0]
    assert envelope.rcpt_tos == ["alice@example.com"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == (
        "Bob Other answered your question: Should I leave my PhD for a startup?"
    )
    unsubscribe = message["List-Unsubscribe"].strip()  # folded onto its own line: long
    assert unsubscribe.startswith("<https://careerkb.example/email/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert f"https://careerkb.example{answer.get_absolute_url()}" in text
    assert "I did, and do not regret it." in text
    html = message.get_body(preferencelist=("html",)).get_content()
    assert f'href="https://careerkb.example{answer.get_absolute_url()}"' in html


@pytest.mark.parametrize("args", [["--interval", "-1"], ["--schedule-every", "0"]])
def test_the_worker_refuses_bad_timings(args):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--schedule-every 1 or more"):
        call_command("run_worker", "--once", *args)
