"""Outcomes of questions (issue 13, item 3): who reports them, where they show, reminders."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from kb import search
from kb.advice import months_before, questions_due_a_reminder, remind_asker
from kb.events import content_changed
from kb.inbox_models import Notification
from kb.models import Outcome, OutcomeExists, Post
from tests.factories import make_answer, make_question, make_user

pytestmark = pytest.mark.django_db

OUTCOME = "I took the **product job**. Six months in, I ship every week and do not miss the lab."


@pytest.fixture
def question(alice, bob):
    question = make_question(alice, title="PhD offer or a product team in computer vision?")
    answer = make_answer(question, bob, body="Take the product job if you want to ship things.")
    question.accept(answer, by=alice)
    return Post.objects.get(pk=question.pk)


def _save_url(question):
    return reverse("kb:outcome-save", args=[question.pk])


def _consent_url(question):
    return reverse("kb:outcome-consent", args=[question.pk])


def _fresh(post):
    return Post.objects.get(pk=post.pk)


# -- domain ----------------------------------------------------------------------------------


def test_the_asker_adds_an_outcome_rendered_and_sanitised(question, alice):
    outcome = question.add_outcome(alice, OUTCOME + "<script>alert(1)</script>")
    assert "<strong>product job</strong>" in outcome.body_html
    assert "<script>" not in outcome.body_html
    assert _fresh(question).outcome_reported_at == outcome.created_at


def test_a_second_outcome_is_refused(question, alice):
    question.add_outcome(alice, OUTCOME)
    stale_copy = Post.objects.get(pk=question.pk)
    stale_copy.outcome_reported_at = None  # as if read before the first was saved
    with pytest.raises(OutcomeExists):
        stale_copy.add_outcome(alice, "A second outcome that must not be saved at all.")
    assert Outcome.objects.filter(question=question).count() == 1


def test_adding_an_outcome_announces_the_question(question, alice):
    seen = []

    def listener(sender, post_ids, **kwargs):
        seen.append(post_ids)

    content_changed.connect(listener)
    try:
        question.add_outcome(alice, OUTCOME)
    finally:
        content_changed.disconnect(listener)
    assert any(question.pk in ids for ids in seen)


def test_the_accepted_answerer_needs_the_askers_consent(question, alice, bob):
    with pytest.raises(PermissionDenied):
        question.add_outcome(bob, OUTCOME)
    question.allow_outcome_by_answerer(True, by=alice)
    outcome = _fresh(question).add_outcome(bob, OUTCOME)
    assert outcome.author == bob


def test_only_the_asker_gives_consent(question, bob, staff):
    for user in (bob, staff):
        with pytest.raises(PermissionDenied):
            question.allow_outcome_by_answerer(True, by=user)
    assert not _fresh(question).outcome_by_answerer


def test_another_member_may_not_report_even_with_consent(question, alice):
    question.allow_outcome_by_answerer(True, by=alice)
    with pytest.raises(PermissionDenied):
        _fresh(question).add_outcome(make_user(), OUTCOME)


def test_editing_changes_the_text_and_marks_it_edited(question, alice, bob):
    outcome = question.add_outcome(alice, OUTCOME)
    assert outcome.edit(alice, OUTCOME + " Update: promoted.")
    outcome.refresh_from_db()
    assert "promoted" in outcome.body_html
    assert outcome.edited_at is not None
    assert not outcome.edit(alice, outcome.body)  # nothing changed
    with pytest.raises(PermissionDenied):
        outcome.edit(bob, "Bob rewrites the asker's outcome, which he must not do.")


# -- views: permissions ------------------------------------------------------------------------


def test_asker_reports_an_outcome_through_the_form(client, question, alice):
    client.force_login(alice)
    response = client.post(_save_url(question), {"body": OUTCOME})
    assert response.status_code == 302
    assert response["Location"].endswith("#outcome")
    page = client.get(question.get_absolute_url()).content.decode()
    assert "Outcome" in page
    assert f">{timezone.now():%B %Y}</time>" in page
    assert "<strong>product job</strong>" in page


def test_outcome_shows_to_visitors_without_forms(client, question, alice):
    question.add_outcome(alice, OUTCOME)
    page = client.get(question.get_absolute_url()).content.decode()
    assert "<strong>product job</strong>" in page
    assert _save_url(question) not in page
    assert "Edit the outcome" not in page


def test_asker_sees_the_invitation_and_others_do_not(client, question, alice, bob):
    client.force_login(alice)
    assert "How did it go?" in client.get(question.get_absolute_url()).content.decode()
    client.force_login(bob)
    assert "How did it go?" not in client.get(question.get_absolute_url()).content.decode()


def test_other_member_gets_403(bob_client, question):
    response = bob_client.post(_save_url(question), {"body": OUTCOME})
    assert response.status_code == 403
    assert not Outcome.objects.exists()


def test_visitor_is_sent_to_log_in(client, question):
    response = client.post(_save_url(question), {"body": OUTCOME})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert not Outcome.objects.exists()


@pytest.mark.parametrize("url_of", [_save_url, _consent_url])
def test_get_is_not_allowed(alice_client, question, url_of):
    assert alice_client.get(url_of(question)).status_code == 405


def test_too_short_outcome_is_a_400_and_keeps_the_text(alice_client, question):
    response = alice_client.post(_save_url(question), {"body": "Went well."})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Write at least 20 characters" in page
    assert "Went well." in page
    assert not Outcome.objects.exists()


def test_empty_outcome_is_a_400(alice_client, question):
    response = alice_client.post(_save_url(question), {"body": "   "})
    assert response.status_code == 400
    assert "Write what you decided and how it went." in response.content.decode()


def test_posting_again_edits_the_outcome(alice_client, question, alice):
    question.add_outcome(alice, OUTCOME)
    response = alice_client.post(_save_url(question), {"body": OUTCOME + " Still happy."})
    assert response.status_code == 302
    assert Outcome.objects.get().body.endswith("Still happy.")


def test_staff_may_edit_but_not_add(staff_client, question, alice):
    assert staff_client.post(_save_url(question), {"body": OUTCOME}).status_code == 403
    question.add_outcome(alice, OUTCOME)
    response = staff_client.post(_save_url(question), {"body": OUTCOME + " (typo fixed)"})
    assert response.status_code == 302
    assert Outcome.objects.get().body.endswith("(typo fixed)")


def test_outcome_of_a_deleted_question_is_404(alice_client, question, alice):
    question.soft_delete(by=alice)
    assert alice_client.post(_save_url(question), {"body": OUTCOME}).status_code == 404


def test_consent_toggle_lets_the_answerer_report(client, question, alice, bob):
    client.force_login(alice)
    assert client.post(_consent_url(question), {"state": "on"}).status_code == 302
    assert _fresh(question).outcome_by_answerer
    client.force_login(bob)
    page = client.get(question.get_absolute_url()).content.decode()
    assert "How did it go?" in page
    assert client.post(_save_url(question), {"body": OUTCOME}).status_code == 302
    page = client.get(question.get_absolute_url()).content.decode()
    assert "the accepted answer's author, with the asker's consent" in page


def test_consent_withdrawn_refuses_the_answerer(client, question, alice, bob):
    question.allow_outcome_by_answerer(True, by=alice)
    client.force_login(alice)
    client.post(_consent_url(question), {"state": "off"})
    client.force_login(bob)
    assert client.post(_save_url(question), {"body": OUTCOME}).status_code == 403


def test_consent_by_someone_else_is_403_and_bad_state_400(client, question, alice, bob):
    client.force_login(bob)
    assert client.post(_consent_url(question), {"state": "on"}).status_code == 403
    client.force_login(alice)
    assert client.post(_consent_url(question), {"state": "maybe"}).status_code == 400
    assert not _fresh(question).outcome_by_answerer


# -- lists and the filter ------------------------------------------------------------------------


def test_lists_mark_questions_with_an_outcome(client, question, alice):
    other = make_question(alice, title="Startup or big tech for a first job?")
    question.add_outcome(alice, OUTCOME)
    page = client.get(reverse("kb:question-list")).content.decode()
    assert page.count("outcome reported") == 1
    assert page.index("outcome reported") < page.index(question.title)
    assert other.title in page
    home = client.get(reverse("kb:home")).content.decode()
    assert "outcome reported" in home


def test_filter_shows_only_questions_with_outcomes(client, question, alice):
    other = make_question(alice, title="Startup or big tech for a first job?")
    question.add_outcome(alice, OUTCOME)
    response = client.get(reverse("kb:question-list"), {"outcomes": "1"})
    page = response.content.decode()
    assert question.title in page
    assert other.title not in page
    assert "1 question with a reported outcome" in page
    assert "outcomes=1&amp;sort=top" in page  # the sort tabs keep the filter


def test_filter_without_outcomes_says_so(client, question):
    page = client.get(reverse("kb:question-list"), {"outcomes": "1"}).content.decode()
    assert "No question here has a reported outcome yet" in page


def test_filtered_list_is_cached_apart_and_refreshed_by_a_new_outcome(client, question, alice):
    url = reverse("kb:question-list")
    assert question.title not in client.get(url, {"outcomes": "1"}).content.decode()
    assert question.title in client.get(url).content.decode()
    question.add_outcome(alice, OUTCOME)  # announces: the cached pages drop
    assert question.title in client.get(url, {"outcomes": "1"}).content.decode()


def test_filtered_list_query_count_is_constant(
    client, alice, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    url = reverse("kb:question-list") + "?outcomes=1"
    make_question(alice).add_outcome(alice, OUTCOME)
    with django_assert_max_num_queries(5) as few:
        client.get(url)
    for _ in range(10):
        make_question(alice, tags=["skills"]).add_outcome(alice, OUTCOME)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_question_page_with_outcome_stays_within_budget(
    client, question, alice, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    question.add_outcome(alice, OUTCOME)
    client.force_login(alice)
    with django_assert_max_num_queries(14):  # the page's 13, +1: the outcome
        client.get(question.get_absolute_url())


# -- search --------------------------------------------------------------------------------------


def test_search_finds_the_outcome_text(client, question, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        question.add_outcome(alice, "Negotiated a hybrid contract with quarterly offsites.")
    page = client.get(reverse("kb:search"), {"q": "quarterly offsites"}).content.decode()
    assert question.get_absolute_url() in page
    document = search.document_for(_fresh(question))
    assert "quarterly offsites" in document.body


def test_edited_outcome_is_searched_by_its_new_text(
    client, question, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = question.add_outcome(alice, "Negotiated a hybrid contract with offsites.")
    with django_capture_on_commit_callbacks(execute=True):
        outcome.edit(alice, "Moved to Lisbon and joined a robotics startup instead.")
    page = client.get(reverse("kb:search"), {"q": "Lisbon robotics"}).content.decode()
    assert question.get_absolute_url() in page


# -- reminders -----------------------------------------------------------------------------------


def _accepted_months_ago(question, months):
    Post.objects.filter(pk=question.pk).update(
        accepted_at=months_before(timezone.now(), months) - timedelta(hours=1)
    )


def test_months_before_keeps_the_day_when_it_can():
    moment = timezone.now().replace(year=2027, month=3, day=31)
    assert months_before(moment, 1).date().isoformat() == "2027-02-28"
    assert months_before(moment, 3).date().isoformat() == "2026-12-31"
    assert months_before(moment, 15).date().isoformat() == "2025-12-31"


def test_accepting_records_when(question):
    assert _fresh(question).accepted_at is not None


def test_reminder_is_due_after_the_setting_months(question, settings):
    settings.OUTCOME_REMINDER_MONTHS = 3
    _accepted_months_ago(question, 2)
    assert not questions_due_a_reminder().exists()
    _accepted_months_ago(question, 3)
    assert list(questions_due_a_reminder()) == [question]


def test_no_reminder_for_answers_accepted_long_before_it_was_due(question, settings):
    settings.OUTCOME_REMINDER_MONTHS = 3
    _accepted_months_ago(question, 3 + 13)
    assert not questions_due_a_reminder().exists()
    _accepted_months_ago(question, 3 + 11)
    assert list(questions_due_a_reminder()) == [question]


def test_command_reminds_once_and_is_idempotent(question, alice, settings, capsys):
    settings.OUTCOME_REMINDER_MONTHS = 3
    _accepted_months_ago(question, 4)
    call_command("send_outcome_reminders")
    assert "1 asker reminded." in capsys.readouterr().out
    call_command("send_outcome_reminders")
    assert "0 askers reminded." in capsys.readouterr().out
    reminder = Notification.objects.get(kind=Notification.Kind.OUTCOME_REMINDER)
    assert reminder.recipient == alice
    assert reminder.post_id == question.pk
    assert reminder.actor is None


def test_never_twice_even_after_unaccept_and_accept(question, alice, settings):
    _accepted_months_ago(question, 6)
    assert remind_asker(question)
    question.unaccept(by=alice)
    question.accept(question.answers.get(), by=alice)
    _accepted_months_ago(question, 6)
    assert not questions_due_a_reminder().exists()
    assert not remind_asker(question)  # a run racing the first finds it claimed
    assert Notification.objects.filter(kind=Notification.Kind.OUTCOME_REMINDER).count() == 1


def test_dry_run_sends_nothing(question, settings, capsys):
    _accepted_months_ago(question, 6)
    call_command("send_outcome_reminders", "--dry-run")
    out = capsys.readouterr().out
    assert question.title in out
    assert "would be reminded (dry run)" in out
    assert not Notification.objects.filter(kind=Notification.Kind.OUTCOME_REMINDER).exists()
    assert _fresh(question).outcome_reminded_at is None


def test_no_reminder_when_an_outcome_exists_or_the_question_is_deleted(question, alice):
    _accepted_months_ago(question, 6)
    question.add_outcome(alice, OUTCOME)
    other = make_question(alice, title="Bootcamp or a masters for data science?")
    other.accept(make_answer(other), by=alice)
    _accepted_months_ago(other, 6)
    other.soft_delete(by=alice)
    unaccepted = make_question(alice, title="Should I learn Rust or Go next?")
    make_answer(unaccepted)
    assert not questions_due_a_reminder().exists()


def test_old_accepts_without_a_date_count_from_the_answer(question):
    Post.objects.filter(pk=question.pk).update(accepted_at=None)
    Post.objects.filter(pk=question.accepted_answer_id).update(
        created_at=timezone.now() - timedelta(days=400)
    )
    assert list(questions_due_a_reminder()) == [question]


def test_reminder_shows_in_the_inbox_and_links_to_the_outcome_form(client, question, alice):
    _accepted_months_ago(question, 6)
    remind_asker(question)
    client.force_login(alice)
    page = client.get(reverse("kb:inbox")).content.decode()
    assert "How did it go? Add an outcome" in page
    assert f"{question.get_absolute_url()}#outcome" in page
    assert "Someone" not in page
