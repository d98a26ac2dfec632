"""Daily and weekly digests (``manage.py send_digests``): one e-mail per member and period,
never two, whatever runs them and however often."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from kb import emails
from kb.email_models import DigestSent, EmailPreference, Frequency
from kb.inbox_models import Notification, TagFollow
from tests.factories import make_answer, make_comment, make_question, make_user
from tests.mail_backends import DOWN_BACKEND

Kind = Notification.Kind
SITE = "https://careerkb.example"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.DIGEST_HOUR = 7


@pytest.fixture
def carol(db):
    return make_user("carol", display_name="Carol Third")


def send_digests(*args) -> str:
    out = StringIO()
    call_command("send_digests", *args, stdout=out, stderr=out)
    return out.getvalue()


def happened_before_this_period(period="daily"):
    """Date what has happened so far just before the current period began: a digest carries
    the period that ended; what happens later waits for the next period's digest."""
    Notification.objects.update(created_at=emails.period_start(period) - timedelta(minutes=1))


def daily_news_for(alice, bob):
    """Two comments on alice's question and her answer's comment, made yesterday: her daily
    digest."""
    question = make_question(alice, title="PhD or product team?")
    first = make_comment(question, author=bob, body="What does your advisor say?")
    answer = make_answer(make_question(bob), author=alice)
    second = make_comment(answer, author=bob, body="Thanks, that helped.")
    happened_before_this_period()
    return question, first, answer, second


# -- what goes out -----------------------------------------------------------------------


def test_a_daily_digest_groups_a_members_notifications_in_one_e_mail(alice, bob, mailoutbox):
    question, first, _answer, second = daily_news_for(alice, bob)
    output = send_digests("--period", "daily")
    assert "Sent 1 daily digest(s)" in output
    assert "holding 2 notification(s)" in output
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["alice@example.com"]
    assert mail.subject == "Your CareerKB daily digest: 2 new things for you"
    assert "Bob Other commented on your post: “PhD or product team?”" in mail.body
    assert "“What does your advisor say?”" in mail.body
    assert f"{SITE}{question.get_absolute_url()}#comment-{first.pk}" in mail.body
    assert f"#comment-{second.pk}" in mail.body
    assert not Notification.objects.filter(recipient=alice, emailed_at__isnull=True).exists()
    sent = DigestSent.objects.get()
    assert (sent.user, sent.period, sent.notification_count) == (alice, "daily", 2)


def test_a_digest_has_its_own_one_click_unsubscribe(alice, bob, mailoutbox):
    daily_news_for(alice, bob)
    send_digests("--period", "daily")
    mail = mailoutbox[0]
    url = emails.unsubscribe_url(alice.pk, "daily")
    assert mail.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Stop the daily digest: {url}" in mail.body
    html, _ = mail.alternatives[0]
    assert f'href="{url}"' in html


def test_send_digests_twice_in_a_row_sends_once(alice, bob, mailoutbox):
    daily_news_for(alice, bob)
    send_digests()
    second_run = send_digests()
    assert len(mailoutbox) == 1
    assert "Sent 0 daily digest(s)" in second_run
    assert DigestSent.objects.count() == 1


def test_news_after_this_periods_digest_waits_for_the_next_period(alice, bob, mailoutbox):
    question, *_ = daily_news_for(alice, bob)
    now = timezone.now()
    emails.send_digests("daily", now=now)
    late = make_comment(question, author=bob, body="One more thing.")
    emails.send_digests("daily", now=now + timedelta(minutes=5))
    assert len(mailoutbox) == 1
    emails.send_digests("daily", now=now + timedelta(days=1))
    assert len(mailoutbox) == 2
    assert "“One more thing.”" in mailoutbox[1].body
    assert Notification.objects.get(comment=late).emailed_at is not None


def test_the_first_news_of_a_quiet_period_waits_for_the_next_digest(alice, bob, mailoutbox):
    make_comment(make_question(alice), author=bob)  # after today's period began
    send_digests("--period", "daily")
    assert mailoutbox == []
    assert not DigestSent.objects.exists()
    emails.send_digests("daily", now=timezone.now() + timedelta(days=1))
    assert len(mailoutbox) == 1


def test_each_member_gets_their_own_digest(alice, bob, carol, mailoutbox):
    daily_news_for(alice, bob)
    make_comment(make_question(carol), author=bob)
    happened_before_this_period()
    send_digests("--period", "daily")
    assert sorted(mail.to[0] for mail in mailoutbox) == ["alice@example.com", "carol@example.com"]


def test_the_weekly_digest_holds_tag_questions_and_the_daily_does_not(alice, bob, mailoutbox):
    from taggit.models import Tag

    TagFollow.objects.create(user=alice, tag=Tag.objects.create(name="phd", slug="phd"))
    question = make_question(bob, title="How do I explain a PhD gap?", tags=["phd"])
    happened_before_this_period("weekly")
    send_digests("--period", "daily")
    assert mailoutbox == []
    send_digests("--period", "weekly")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "Your CareerKB weekly digest: 1 new thing for you"
    assert "Bob Other asked a question in a tag you follow: “How do I explain a PhD gap?”" in (
        mailoutbox[0].body
    )
    assert f"{SITE}{question.get_absolute_url()}" in mailoutbox[0].body


def test_digests_follow_each_members_choices(alice, bob, mailoutbox):
    EmailPreference.objects.set_frequency(alice, Kind.COMMENT, Frequency.WEEKLY)
    EmailPreference.objects.set_frequency(alice, Kind.ANSWER, Frequency.DAILY)
    question = make_question(alice)
    make_comment(question, author=bob)
    make_answer(question, author=bob)
    happened_before_this_period("daily")
    send_digests("--period", "daily")
    assert len(mailoutbox) == 1
    assert "answered your question" in mailoutbox[0].body
    assert "commented" not in mailoutbox[0].body
    happened_before_this_period("weekly")
    send_digests("--period", "weekly")
    assert "commented on your post" in mailoutbox[1].body


def test_no_digest_for_never_no_e_mail_immediate_kinds_or_deleted_posts(alice, bob, mailoutbox):
    question = make_question(alice)
    make_answer(question, author=bob)  # immediate: not a digest's
    comment = make_comment(question, author=bob)
    comment.soft_delete()
    EmailPreference.objects.set_frequency(bob, Kind.COMMENT, Frequency.NEVER)
    make_comment(make_answer(make_question(alice), author=bob), author=alice)
    carol = make_user("carol")
    EmailPreference.objects.set_all(carol, {}, no_email=True)
    make_comment(make_question(carol), author=bob)
    happened_before_this_period()
    send_digests()
    assert mailoutbox == []
    assert not DigestSent.objects.exists()


def test_a_long_digest_lists_the_first_items_and_points_to_the_inbox(
    alice, bob, mailoutbox, monkeypatch
):
    monkeypatch.setattr(emails, "DIGEST_MAX_ITEMS", 2)
    question = make_question(alice)
    for number in range(5):
        make_comment(question, author=bob, body=f"Comment number {number}.")
    happened_before_this_period()
    send_digests("--period", "daily")
    body = mailoutbox[0].body
    assert body.count("commented on your post") == 2
    assert f"… and 3 more in your inbox: {SITE}/inbox/" in body
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


# -- dry run, failures, concurrency --------------------------------------------------------


def test_dry_run_sends_and_writes_nothing(alice, bob, mailoutbox):
    daily_news_for(alice, bob)
    out = StringIO()
    call_command("send_digests", "--dry-run", "--period", "daily", "-v", "2", stdout=out)
    assert "Would send 1 daily digest(s)" in out.getvalue()
    assert "  alice: 2" in out.getvalue()
    assert mailoutbox == []
    assert not DigestSent.objects.exists()
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()


def test_a_failed_digest_is_not_recorded_and_goes_out_on_the_next_run(
    alice, bob, mailoutbox, settings
):
    daily_news_for(alice, bob)
    settings.EMAIL_BACKEND = DOWN_BACKEND
    output = send_digests("--period", "daily")
    assert "The mail server failed" in output
    assert not DigestSent.objects.exists()
    assert Notification.objects.filter(recipient=alice, emailed_at__isnull=True).count() == 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send_digests("--period", "daily")
    send_digests("--period", "daily")
    assert len(mailoutbox) == 1
    assert DigestSent.objects.count() == 1


def test_a_member_whose_digest_another_run_recorded_is_skipped(alice, bob, mailoutbox):
    daily_news_for(alice, bob)
    start = emails.period_start("daily")
    DigestSent.objects.create(user=alice, period="daily", period_start=start)
    send_digests("--period", "daily")
    assert mailoutbox == []


def test_the_database_refuses_a_second_digest_for_the_same_period(alice):
    start = emails.period_start("weekly")
    DigestSent.objects.create(user=alice, period="weekly", period_start=start)
    with pytest.raises(IntegrityError), transaction.atomic():
        DigestSent.objects.create(user=alice, period="weekly", period_start=start)


# -- periods -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "period", "start"),
    [
        (datetime(2026, 12, 2, 8, 30, tzinfo=UTC), "daily", datetime(2026, 12, 2, 7, tzinfo=UTC)),
        (datetime(2026, 12, 2, 6, 59, tzinfo=UTC), "daily", datetime(2026, 12, 1, 7, tzinfo=UTC)),
        (datetime(2026, 12, 2, 8, 0, tzinfo=UTC), "weekly", datetime(2026, 11, 30, 7, tzinfo=UTC)),
        (datetime(2026, 11, 30, 6, 0, tzinfo=UTC), "weekly", datetime(2026, 11, 23, 7, tzinfo=UTC)),
        (datetime(2026, 11, 30, 7, 0, tzinfo=UTC), "weekly", datetime(2026, 11, 30, 7, tzinfo=UTC)),
    ],
)
def test_periods_start_at_the_digest_hour(now, period, start):
    assert emails.period_start(period, now) == start


def test_a_digest_leaves_out_what_another_sender_claimed_meanwhile(
    alice, bob, mailoutbox, monkeypatch
):
    question = make_question(alice)
    make_comment(question, author=bob, body="First comment.")
    make_comment(question, author=bob, body="Second comment.")
    first = Notification.objects.get(comment__body="First comment.")
    happened_before_this_period()
    batches = emails._digest_batches

    def claimed_by_another_sender_in_between(*args):
        for recipient, notes in batches(*args):
            Notification.objects.filter(pk=first.pk).update(emailed_at=timezone.now())
            yield recipient, notes

    monkeypatch.setattr(emails, "_digest_batches", claimed_by_another_sender_in_between)
    run = emails.send_digests("daily")
    assert run.sent == {alice: 1}
    assert "Second comment." in mailoutbox[0].body
    assert "First comment." not in mailoutbox[0].body
    assert DigestSent.objects.get().notification_count == 1


def test_no_digest_is_recorded_when_everything_was_claimed_meanwhile(
    alice, bob, mailoutbox, monkeypatch
):
    make_comment(make_question(alice), author=bob)
    happened_before_this_period()
    batches = emails._digest_batches

    def all_claimed_in_between(*args):
        for recipient, notes in batches(*args):
            Notification.objects.update(emailed_at=timezone.now())
            yield recipient, notes

    monkeypatch.setattr(emails, "_digest_batches", all_claimed_in_between)
    assert emails.send_digests("daily").sent == {}
    assert mailoutbox == []
    assert not DigestSent.objects.exists()


def test_the_batch_queries_and_each_members_preferences_agree(bob):
    from kb.email_models import wanted_at

    post = make_question(bob)
    options = [None, *Frequency.values]
    members = []
    for number in range(len(options) * 2):
        member = make_user(f"member{number}")
        for position, kind in enumerate(Kind.values):
            choice = options[(number + position) % len(options)]
            if choice:
                EmailPreference.objects.set_frequency(member, kind, choice)
        if number >= len(options):
            EmailPreference.objects.set_all(member, {}, no_email=True)
        members.append(member)
        for kind in Kind.values:
            Notification.objects.create(recipient=member, kind=kind, actor=bob, post=post)
    preferences = EmailPreference.objects.for_users([member.pk for member in members])
    notes = Notification.objects.filter(recipient__in=members)
    for frequency in (Frequency.IMMEDIATELY, Frequency.DAILY, Frequency.WEEKLY):
        expected = {
            note.pk
            for note in notes
            if preferences[note.recipient_id].frequency(note.kind) == frequency
        }
        assert set(wanted_at(notes, frequency).values_list("pk", flat=True)) == expected
        assert expected
