"""Notification e-mails sent at once: who gets what, what it says, the settings page and the
one-click unsubscribe link. Django's locmem backend (``mailoutbox``); tasks run at once after
the commit (``KB_TASKS_BACKEND=immediate`` in the test settings)."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.db import transaction
from django.test import Client
from django.utils import timezone

from kb import emails
from kb.email_models import EmailPreference, Frequency
from kb.emails import SCOPES, unsubscribe_token, unsubscribe_url
from kb.inbox_models import Notification, QuestionFollow
from tests.factories import make_answer, make_comment, make_question, make_user

Kind = Notification.Kind
SITE = "https://careerkb.example"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def carol(db):
    return make_user("carol", display_name="Carol Third")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the e-mail tasks), as a real request's commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def answer_with_mail(committed, question, author, body=None):
    with committed():
        return make_answer(question, author=author, body=body)


def path_of(url: str) -> str:
    return urlsplit(url).path


# -- who gets an e-mail at once ----------------------------------------------------------


def test_an_answer_mails_the_asker_at_once(alice, bob, committed, mailoutbox):
    question = make_question(alice, title="Startup or Big Tech after a PhD?")
    answer = answer_with_mail(
        committed, question, bob, "I took the startup offer and learned twice as fast."
    )
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["alice@example.com"]
    assert mail.subject == "Bob Other answered your question: Startup or Big Tech after a PhD?"
    assert "Hello Alice Author," in mail.body
    assert "Bob Other answered your question: “Startup or Big Tech after a PhD?”" in mail.body
    assert "I took the startup offer and learned twice as fast." in mail.body
    assert f"{SITE}{answer.get_absolute_url()}" in mail.body
    assert Notification.objects.get(recipient=alice).emailed_at is not None


def test_the_e_mail_has_an_html_part_with_the_same_links(alice, bob, committed, mailoutbox):
    question = make_question(alice, title="Is a <b>bootcamp</b> worth it?")
    answer = answer_with_mail(committed, question, bob)
    html, mimetype = mailoutbox[0].alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{SITE}{answer.get_absolute_url()}"' in html
    assert "Is a &lt;b&gt;bootcamp&lt;/b&gt; worth it?" in html  # escaped in HTML...
    assert "“Is a <b>bootcamp</b> worth it?”" in mailoutbox[0].body  # ...plain in text


def test_the_e_mail_has_one_click_unsubscribe_headers_and_link(alice, bob, committed, mailoutbox):
    answer_with_mail(committed, make_question(alice), bob)
    mail = mailoutbox[0]
    url = unsubscribe_url(alice.pk, Kind.ANSWER)
    assert url.startswith(f"{SITE}/email/unsubscribe/")
    assert mail.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Stop e-mails when someone answered your question: {url}" in mail.body
    assert f"{SITE}/accounts/settings/email/" in mail.body
    message = mail.message()
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_nothing_is_sent_before_the_commit_nor_after_a_rollback(
    alice, bob, django_capture_on_commit_callbacks, mailoutbox
):
    question = make_question(alice)
    with django_capture_on_commit_callbacks() as callbacks:
        make_answer(question, author=bob)
        assert mailoutbox == []
    assert mailoutbox == []  # still waiting for the commit
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1

    def answer_then_fail():
        with transaction.atomic():
            make_answer(question, author=make_user())
            raise RuntimeError

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        answer_then_fail()
    assert len(mailoutbox) == 1


def test_no_e_mail_about_your_own_actions(alice, committed, mailoutbox):
    with committed():
        question = make_question(alice, body="Note to self, @alice.")
        answer = make_answer(question, author=alice)
        make_comment(answer, author=alice, body="@alice again")
        question.accept(answer, by=alice)
    assert mailoutbox == []


def test_no_e_mail_about_a_post_deleted_before_it_was_sent(
    alice, bob, django_capture_on_commit_callbacks, mailoutbox
):
    question = make_question(alice)
    with django_capture_on_commit_callbacks() as callbacks:
        answer = make_answer(question, author=bob)
    answer.soft_delete(by=bob)
    for callback in callbacks:
        callback()
    assert mailoutbox == []
    assert Notification.objects.get(recipient=alice).emailed_at is None


def test_an_accept_and_a_mention_are_mailed_at_once(alice, bob, carol, committed, mailoutbox):
    question = make_question(alice, title="Which skills for a computer-vision job?")
    answer = make_answer(question, author=bob, body="Ask @carol, she hires for this.")
    with committed():
        question.accept(answer, by=alice)
    assert [mail.to for mail in mailoutbox] == [["bob@example.com"]]
    assert mailoutbox[0].subject.startswith("Alice Author accepted your answer: ")
    mailoutbox.clear()
    answer_with_mail(committed, question, bob, "And @carol knows the field.")
    subjects = {mail.to[0]: mail.subject for mail in mailoutbox}
    assert subjects["carol@example.com"].startswith("Bob Other mentioned you: ")
    assert subjects["alice@example.com"].startswith("Bob Other answered your question: ")


def test_comments_and_followed_answers_wait_for_the_daily_digest_by_default(
    alice, bob, carol, committed, mailoutbox
):
    question = make_question(alice)
    make_answer(question, author=carol)  # carol follows the question now
    with committed():
        make_comment(question, author=bob)
        make_answer(question, author=bob)
    assert [mail.to for mail in mailoutbox] == [["alice@example.com"]]  # the answer only
    comment_note = Notification.objects.get(recipient=alice, kind=Kind.COMMENT)
    assert comment_note.emailed_at is None
    assert Notification.objects.get(recipient=carol, kind=Kind.FOLLOWED_ANSWER).emailed_at is None


def test_a_comment_chosen_immediately_is_mailed_with_its_text_and_anchor(
    alice, bob, committed, mailoutbox
):
    EmailPreference.objects.set_frequency(alice, Kind.COMMENT, Frequency.IMMEDIATELY)
    question = make_question(alice)
    with committed():
        comment = make_comment(question, author=bob, body="Have you asked   your\nadvisor?")
    assert len(mailoutbox) == 1
    assert "“Have you asked your advisor?”" in mailoutbox[0].body
    assert f"{SITE}{question.get_absolute_url()}#comment-{comment.pk}" in mailoutbox[0].body


def test_never_and_no_e_mail_at_all_send_nothing(alice, bob, committed, mailoutbox):
    EmailPreference.objects.set_frequency(alice, Kind.ANSWER, Frequency.NEVER)
    answer_with_mail(committed, make_question(alice), bob)
    assert mailoutbox == []
    EmailPreference.objects.set_all(
        bob, {Kind.ACCEPTED: Frequency.IMMEDIATELY}, no_email=True
    )  # the switch wins over the kind
    question = make_question(alice)
    answer = make_answer(question, author=bob)
    with committed():
        question.accept(answer, by=alice)
    assert mailoutbox == []
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 0


def test_members_who_cannot_receive_e_mail_get_none(alice, bob, committed, mailoutbox):
    for email in ("", "alice@demo.careerkb.invalid"):
        alice.email = email
        alice.save()
        answer_with_mail(committed, make_question(alice), bob)
    assert mailoutbox == []


def test_a_subject_is_one_line_however_the_title_is_written(alice, bob, committed, mailoutbox):
    question = make_question(alice, title="Long " * 60)
    answer_with_mail(committed, question, bob)
    subject = mailoutbox[0].subject
    assert "\n" not in subject
    assert len(subject) <= 150


def test_the_inbox_and_the_e_mail_name_the_actor_through_actor_label(
    alice, bob, committed, mailoutbox, monkeypatch, client
):
    # The one place that names the actor: a change there (an anonymous asker) reaches both.
    monkeypatch.setattr(Notification, "actor_label", property(lambda note: "Anonymous member"))
    answer_with_mail(committed, make_question(alice), bob)
    assert mailoutbox[0].subject.startswith("Anonymous member answered your question")
    assert "Bob Other" not in mailoutbox[0].body
    client.force_login(alice)
    html = client.get("/inbox/").content.decode()
    assert "<strong>Anonymous member</strong> answered your question" in html
    assert "Bob Other" not in html


def test_actor_label_is_the_actors_name():
    note = Notification(actor=None)
    assert note.actor_label == "Someone"


def test_actor_label_names_the_member(alice, bob):
    make_answer(make_question(alice), author=bob)
    assert Notification.objects.get().actor_label == "Bob Other"


# -- the settings page -------------------------------------------------------------------


def test_email_settings_need_log_in(client, db):
    response = client.get("/accounts/settings/email/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.post("/accounts/settings/email/", {}).status_code == 302
    assert not EmailPreference.objects.exists()


def test_email_settings_show_the_defaults(alice, alice_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = alice_client.get("/accounts/settings/email/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Answers to your questions" in html
    assert "to alice@example.com" in html
    for kind, frequency in [
        ("answer", "immediately"),
        ("accepted", "immediately"),
        ("mention", "immediately"),
        ("comment", "daily"),
        ("followed_answer", "daily"),
        ("tag_question", "weekly"),
    ]:
        select = html.split(f'name="{kind}"')[1].split("</select>")[0]
        assert f'<option value="{frequency}" selected>' in select, kind
    assert 'type="checkbox" name="no_email"' in html
    assert "checked" not in html.split('name="no_email"')[1].split(">")[0]


def _form(**changes):
    data = {
        "answer": "immediately",
        "accepted": "immediately",
        "mention": "immediately",
        "comment": "daily",
        "followed_answer": "daily",
        "tag_question": "weekly",
        "outcome_reminder": "immediately",
    }
    return {**data, **changes}


def test_saving_email_settings(alice, alice_client):
    response = alice_client.post(
        "/accounts/settings/email/", _form(comment="immediately", tag_question="never")
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/settings/email/"
    preferences = EmailPreference.objects.for_user(alice)
    assert preferences.frequency(Kind.COMMENT) == Frequency.IMMEDIATELY
    assert preferences.frequency(Kind.TAG_QUESTION) == Frequency.NEVER
    assert not preferences.no_email
    html = alice_client.get("/accounts/settings/email/").content.decode()
    assert "Your e-mail settings were saved." in html
    assert '<option value="never" selected>' in html.split('name="tag_question"')[1]


def test_no_e_mail_at_all_is_saved_and_undone(alice, alice_client):
    alice_client.post("/accounts/settings/email/", _form(no_email="on"))
    assert EmailPreference.objects.for_user(alice).no_email
    html = alice_client.get("/accounts/settings/email/").content.decode()
    assert "checked" in html.split('name="no_email"')[1].split(">")[0]
    alice_client.post("/accounts/settings/email/", _form())
    assert not EmailPreference.objects.for_user(alice).no_email


def test_a_bad_choice_is_refused_with_400_and_saves_nothing(alice, alice_client):
    response = alice_client.post("/accounts/settings/email/", _form(answer="hourly"))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = alice_client.post("/accounts/settings/email/", {"comment": "never"})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not EmailPreference.objects.exists()


def test_email_settings_need_csrf(alice):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.post("/accounts/settings/email/", _form(answer="never")).status_code == 403
    assert not EmailPreference.objects.exists()


def test_each_member_sees_and_changes_only_their_own_settings(alice, bob, client):
    EmailPreference.objects.set_frequency(alice, Kind.ANSWER, Frequency.NEVER)
    client.force_login(bob)
    html = client.get("/accounts/settings/email/").content.decode()
    answer_select = html.split('name="answer"')[1].split("</select>")[0]
    assert '<option value="immediately" selected>' in answer_select  # bob's, not alice's
    client.post("/accounts/settings/email/", _form(answer="weekly"))
    assert EmailPreference.objects.for_user(alice).frequency(Kind.ANSWER) == Frequency.NEVER
    assert EmailPreference.objects.for_user(bob).frequency(Kind.ANSWER) == Frequency.WEEKLY


def test_the_menu_profile_and_inbox_link_the_settings(alice, alice_client):
    for url in ("/", "/accounts/profile/edit/", "/inbox/"):
        assert 'href="/accounts/settings/email/"' in alice_client.get(url).content.decode(), url


def test_a_member_without_an_address_is_told_so(alice, alice_client):
    alice.email = ""
    alice.save()
    html = alice_client.get("/accounts/settings/email/").content.decode()
    assert "Your account has no e-mail address, so nothing is sent." in html


# -- one-click unsubscribe -----------------------------------------------------------------


def unsubscribe_path(user, scope):
    return path_of(unsubscribe_url(user.pk, scope))


def test_the_unsubscribe_page_works_logged_out_and_changes_nothing_on_get(alice, client):
    response = client.get(unsubscribe_path(alice, Kind.ANSWER))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Stop e-mails when someone answered your question?" in html
    assert "For the CareerKB account of Alice Author." in html
    assert '<button type="submit" class="button-primary">Unsubscribe</button>' in html
    assert not EmailPreference.objects.exists()


def test_one_click_post_unsubscribes_without_csrf_or_log_in(alice):
    mail_client = Client(enforce_csrf_checks=True)  # a mail client has no cookie, no token
    response = mail_client.post(
        unsubscribe_path(alice, Kind.ANSWER), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert "you will no longer get e-mails when someone answered your question" in (
        response.content.decode()
    )
    preferences = EmailPreference.objects.for_user(alice)
    assert preferences.frequency(Kind.ANSWER) == Frequency.NEVER
    assert preferences.frequency(Kind.MENTION) == Frequency.IMMEDIATELY  # only that kind


def test_the_link_in_the_e_mail_stops_the_next_one(alice, bob, client, committed, mailoutbox):
    question = make_question(alice)
    answer_with_mail(committed, question, bob)
    link = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    assert client.post(path_of(link)).status_code == 200
    answer_with_mail(committed, question, make_user())
    assert len(mailoutbox) == 1


def test_unsubscribing_from_all_or_from_a_digest(alice, client):
    client.post(unsubscribe_path(alice, Frequency.DAILY))
    preferences = EmailPreference.objects.for_user(alice)
    assert preferences.frequency(Kind.COMMENT) == Frequency.NEVER
    assert preferences.frequency(Kind.FOLLOWED_ANSWER) == Frequency.NEVER
    assert preferences.frequency(Kind.TAG_QUESTION) == Frequency.WEEKLY
    assert not preferences.no_email
    response = client.post(unsubscribe_path(alice, "all"))
    assert "no longer get all e-mail from CareerKB" in response.content.decode()
    assert EmailPreference.objects.for_user(alice).no_email


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "tampered",
        "other-salt",
        "unknown-scope",
        "unknown-member",
    ],
)
def test_a_bad_or_tampered_token_is_refused_with_400(token, alice, client):
    tokens = {
        "not-a-token": "not-a-token",
        "tampered": unsubscribe_token(alice.pk, "all")[:-3] + "abc",
        "other-salt": signing.dumps({"u": alice.pk, "s": "all"}, salt="another-purpose"),
        "unknown-scope": unsubscribe_token(alice.pk, "everything"),
        "unknown-member": unsubscribe_token(999_999, "all"),
    }
    for method in (client.get, client.post):
        response = method(f"/email/unsubscribe/{tokens[token]}/")
        assert response.status_code == 400
        html = response.content.decode()
        assert "This link does not work" in html
        assert "This unsubscribe link is incomplete or was changed" in html
    assert not EmailPreference.objects.exists()


def test_a_token_for_one_member_never_touches_another(alice, bob, client):
    client.force_login(bob)  # logged in as someone else: the token decides whose e-mail
    client.post(unsubscribe_path(alice, "all"))
    assert EmailPreference.objects.for_user(alice).no_email
    assert not EmailPreference.objects.for_user(bob).no_email


def test_unsubscribe_answers_only_get_and_post(alice, client):
    path = unsubscribe_path(alice, "all")
    assert client.put(path).status_code == 405
    assert client.delete(path).status_code == 405
    assert not EmailPreference.objects.exists()


def test_every_scope_is_described():
    assert set(SCOPES) == {*Kind.values, "daily", "weekly", "all"}


def test_unsubscribe_links_do_not_expire_and_never_change(alice, client):
    token = unsubscribe_token(alice.pk, Kind.ANSWER)
    assert token == unsubscribe_token(alice.pk, Kind.ANSWER)
    assert ":" in token
    assert token.count(":") == 1  # a value and a signature: no timestamp to grow old
    assert client.post(f"/email/unsubscribe/{token}/").status_code == 200


# -- admin and settings -------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/admin/kb/emailpreference/", "/admin/kb/digestsent/"])
def test_staff_see_preferences_and_digests_read_only(url, admin_client, alice):
    from kb.email_models import DigestSent

    EmailPreference.objects.set_frequency(alice, Kind.ANSWER, Frequency.NEVER)
    DigestSent.objects.create(user=alice, period="daily", period_start=timezone.now())
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "alice" in response.content.decode()
    assert admin_client.get(f"{url}add/").status_code == 403


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KB_SITE_URL": "careerkb.example"}, "KB_SITE_URL must be an http(s) address"),
        ({"KB_TASKS_BACKEND": "celery"}, "KB_TASKS_BACKEND must be one of database, immediate"),
        ({"KB_EMAIL_USE_TLS": "1", "KB_EMAIL_USE_SSL": "1"}, "not both"),
        ({"KB_EMAIL_MAX_ATTEMPTS": "0"}, "KB_EMAIL_MAX_ATTEMPTS must be 1 or more"),
        ({"KB_DIGEST_HOUR": "24"}, "KB_DIGEST_HOUR must be 0 to 23"),
        ({"KB_EMAIL_PORT": "smtp"}, "KB_EMAIL_PORT must be a whole number"),
    ],
)
def test_bad_e_mail_settings_stop_start_up_naming_the_variable(env, message, tmp_path):
    from tests.test_settings import _start

    result = _start(env, tmp_path)
    assert result.returncode != 0
    assert message in result.stderr


def test_e_mail_settings_come_from_the_environment(tmp_path):
    from tests.test_settings import _start

    code = (
        "from django.conf import settings; import django; django.setup(); "
        "print(settings.SITE_URL, settings.EMAIL_HOST, settings.EMAIL_PORT, "
        "settings.EMAIL_USE_TLS, settings.TASKS['default']['BACKEND'])"
    )
    env = {
        "KB_SITE_URL": "https://careerkb.example/",
        "KB_EMAIL_HOST": "smtp.example.com",
        "KB_EMAIL_PORT": "587",
        "KB_EMAIL_USE_TLS": "1",
        "KB_TASKS_BACKEND": None,
    }
    result = _start(env, tmp_path, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "https://careerkb.example",
        "smtp.example.com",
        "587",
        "True",
        "django_tasks_db.DatabaseBackend",
    ]


def test_no_e_mail_goes_to_an_address_not_yet_confirmed(alice, bob, committed, mailoutbox):
    unconfirmed = make_user("newcomer", email="someone.else@example.com", email_verified_at=None)
    question = make_question(alice)
    QuestionFollow.objects.create(user=unconfirmed, question=question)
    EmailPreference.objects.set_frequency(unconfirmed, Kind.FOLLOWED_ANSWER, Frequency.IMMEDIATELY)
    with committed():
        make_answer(question, author=bob)
    assert [message.to for message in mailoutbox] == [["alice@example.com"]]
    assert Notification.objects.filter(recipient=unconfirmed).exists()  # the inbox has it


def test_turning_e_mail_back_on_sends_no_backlog(alice, bob, committed, mailoutbox):
    EmailPreference.objects.set_frequency(alice, Kind.ANSWER, Frequency.NEVER)
    question = make_question(alice)
    with committed():
        for _ in range(3):
            make_answer(question, author=make_user())
    EmailPreference.objects.set_all(alice, {Kind.ANSWER: Frequency.IMMEDIATELY}, no_email=False)
    assert emails.sweep(now=timezone.now() + timedelta(minutes=20)) == 0
    assert mailoutbox == []
    with committed():
        make_answer(question, author=bob)  # what comes after is mailed
    assert len(mailoutbox) == 1
    assert Notification.objects.filter(recipient=alice).count() == 4  # all in the inbox


def test_can_receive_email_is_the_rule_the_mailer_applies_in_sql(alice, bob):
    """``can_receive_email`` (one member, for the suspension e-mail) and ``_unmailed`` (the
    mailer's queries) give one answer for every kind of member."""
    members = [
        alice,
        make_user(email_verified_at=None),
        make_user(email="demo@careerkb.invalid"),
        make_user(is_imported=True),
        make_user(is_active=False),
        make_user(email=""),
    ]
    for member in members:
        make_comment(make_question(member), author=bob)
    mailable = set(emails._unmailed().values_list("recipient_id", flat=True))
    assert {m.pk for m in members if emails.can_receive_email(m)} == mailable == {alice.pk}
