"""Closing a question as a duplicate or off-topic, and reopening it (issue 12, item 5)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kb.events import content_changed
from kb.models import CloseRefused, HoldReason, Post, PostLink, QuestionClosed
from kb.views.close import question_id_from
from tests.factories import make_answer, make_question, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def trusted(db, settings):
    settings.CLOSE_MIN_REPUTATION = 500
    return make_user("tina", display_name="Tina Trusted", reputation=500)


@pytest.fixture
def trusted_client(client, trusted):
    client.force_login(trusted)
    return client


@pytest.fixture
def pair(alice):
    original = make_question(alice, title="Should I join a startup or Big Tech?")
    duplicate = make_question(alice, title="Startup or Big Tech for a first job?")
    return original, duplicate


def _fresh(post):
    return Post.objects.get(pk=post.pk)


def _close_url(question):
    return reverse("kb:question-close", args=[question.pk])


def _reopen_url(question):
    return reverse("kb:question-reopen", args=[question.pk])


# -- domain ----------------------------------------------------------------------------------


def test_staff_closes_as_duplicate_with_a_duplicate_link(pair, staff):
    original, duplicate = pair
    assert duplicate.close_as_duplicate(original, by=staff) == original
    closed = _fresh(duplicate)
    assert closed.is_closed
    assert closed.is_duplicate
    assert closed.closed_by == staff
    assert PostLink.objects.filter(
        from_post=duplicate, to_post=original, kind=PostLink.Kind.DUPLICATE
    ).exists()


def test_a_related_link_becomes_the_duplicate_link(pair, staff):
    original, duplicate = pair
    PostLink.objects.create(from_post=duplicate, to_post=original, kind=PostLink.Kind.RELATED)
    duplicate.close_as_duplicate(original, by=staff)
    assert PostLink.objects.get(from_post=duplicate).kind == PostLink.Kind.DUPLICATE


def test_closing_sends_one_content_changed_event_naming_both(pair, staff):
    original, duplicate = pair
    events = []

    def listen(sender, post_ids, **kwargs):
        events.append(post_ids)

    content_changed.connect(listen)
    try:
        duplicate.close_as_duplicate(original, by=staff)
    finally:
        content_changed.disconnect(listen)
    assert events == [frozenset({original.pk, duplicate.pk})]


def test_members_below_the_reputation_setting_may_not_close(pair, bob, trusted):
    original, duplicate = pair
    with pytest.raises(PermissionDenied):
        duplicate.close_as_duplicate(original, by=bob)
    with pytest.raises(PermissionDenied):
        duplicate.close_as_off_topic("Not about careers", by=bob)
    assert not _fresh(duplicate).is_closed
    duplicate.close_as_duplicate(original, by=trusted)  # 500 reputation is enough
    assert _fresh(duplicate).is_duplicate


def test_reputation_setting_is_read_at_call_time(pair, bob, settings):
    original, duplicate = pair
    settings.CLOSE_MIN_REPUTATION = 0
    duplicate.close_as_duplicate(original, by=bob)
    assert _fresh(duplicate).is_closed


def test_refuses_itself(pair, staff):
    _, duplicate = pair
    with pytest.raises(CloseRefused, match="itself"):
        duplicate.close_as_duplicate(duplicate, by=staff)
    assert not _fresh(duplicate).is_closed


def test_refuses_a_deleted_original_or_an_answer(pair, staff, bob):
    original, duplicate = pair
    answer = make_answer(original, author=bob)
    with pytest.raises(CloseRefused, match="not deleted"):
        duplicate.close_as_duplicate(answer, by=staff)
    original.soft_delete(by=staff)
    with pytest.raises(CloseRefused, match="not deleted"):
        duplicate.close_as_duplicate(_fresh(original), by=staff)
    assert not _fresh(duplicate).is_closed


def test_a_held_original_is_refused_without_its_title(pair, staff, settings):
    original, duplicate = pair
    original.hold(HoldReason.FLAGGED)
    settings.CLOSE_MIN_REPUTATION = 0
    closer = make_user()
    client = Client()
    client.force_login(closer)
    response = client.post(
        _close_url(duplicate), {"kind": "duplicate", "original": str(original.pk)}, follow=True
    )
    page = response.content.decode()
    assert "The original must be a public question (not deleted)." in page
    assert original.title not in page
    assert not _fresh(duplicate).is_closed
    assert not PostLink.objects.filter(from_post=duplicate).exists()
    assert _fresh(original).duplicate_count == 0


def test_refuses_a_cycle(pair, staff):
    original, duplicate = pair
    duplicate.close_as_duplicate(original, by=staff)
    with pytest.raises(CloseRefused, match="itself a duplicate of this question"):
        original.close_as_duplicate(_fresh(duplicate), by=staff)
    assert not _fresh(original).is_closed


def test_a_duplicate_of_a_duplicate_points_to_the_first_original(pair, staff, alice):
    original, duplicate = pair
    duplicate.close_as_duplicate(original, by=staff)
    third = make_question(alice, title="Big Tech or a startup, again?")
    assert third.close_as_duplicate(_fresh(duplicate), by=staff) == original
    assert PostLink.objects.get(from_post=third).to_post == original


def test_closing_twice_is_refused(pair, staff):
    original, duplicate = pair
    duplicate.close_as_duplicate(original, by=staff)
    with pytest.raises(PermissionDenied):  # a closed question offers no Close
        duplicate.close_as_off_topic("again", by=staff)


def test_off_topic_needs_a_reason(pair, staff):
    _, question = pair
    with pytest.raises(CloseRefused, match="why"):
        question.close_as_off_topic("   ", by=staff)
    question.close_as_off_topic("  About  taxes,\nnot careers ", by=staff)
    closed = _fresh(question)
    assert closed.close_reason == Post.CloseReason.OFF_TOPIC
    assert closed.close_note == "About taxes, not careers"


def test_reopen_clears_the_close_and_the_duplicate_link(pair, staff, bob, trusted):
    original, duplicate = pair
    duplicate.close_as_duplicate(original, by=staff)
    with pytest.raises(PermissionDenied):
        _fresh(duplicate).reopen(by=bob)
    _fresh(duplicate).reopen(by=trusted)
    reopened = _fresh(duplicate)
    assert not reopened.is_closed
    assert reopened.close_reason == ""
    assert reopened.closed_by is None
    assert not PostLink.objects.filter(from_post=duplicate).exists()
    reopened.add_answer(bob, "Now it takes answers again.")


def test_a_closed_question_takes_no_answer(pair, staff, bob):
    original, duplicate = pair
    stale = _fresh(duplicate)  # loaded before the close: the database decides
    duplicate.close_as_duplicate(original, by=staff)
    with pytest.raises(QuestionClosed):
        stale.add_answer(bob, "Too late.")
    assert _fresh(duplicate).answer_count == 0
    assert not Post.objects.answers().filter(parent=duplicate).exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42),
        (" 42 ", 42),
        ("/questions/42/some-title/", 42),
        ("https://careerkb.example/questions/42/some-title/#answer-3", 42),
        ("http://testserver/questions/42/", 42),
        ("startup or big tech", None),
        ("/tags/42/", None),
        ("", None),
    ],
)
def test_the_original_is_read_from_a_link_or_a_number(text, expected):
    assert question_id_from(text) == expected


# -- views -----------------------------------------------------------------------------------


def test_close_as_duplicate_through_the_form(trusted_client, pair):
    original, duplicate = pair
    response = trusted_client.post(
        _close_url(duplicate), {"kind": "duplicate", "original": original.get_absolute_url()}
    )
    assert response.status_code == 302
    assert _fresh(duplicate).is_duplicate
    page = trusted_client.get(duplicate.get_absolute_url()).content.decode()
    assert "Closed as a duplicate of" in page
    assert f'href="{original.get_absolute_url()}" class="duplicate-original"' in page


def test_close_off_topic_through_the_form(staff_client, pair):
    _, question = pair
    response = staff_client.post(
        _close_url(question), {"kind": "off-topic", "reason": "Not a career question"}
    )
    assert response.status_code == 302
    page = staff_client.get(question.get_absolute_url()).content.decode()
    assert "Closed as off-topic: Not a career question" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "duplicate", "original": "no idea"}, "link or number"),
        ({"kind": "duplicate", "original": "999999"}, "no question number 999999"),
        ({"kind": "duplicate", "original": "SELF"}, "duplicate of itself"),
        ({"kind": "off-topic", "reason": ""}, "why the question is off-topic"),
        ({"kind": "spam"}, "duplicate or off-topic"),
        ({}, "duplicate or off-topic"),
    ],
)
def test_bad_close_requests_get_a_400_with_a_message(staff_client, pair, data, message):
    _, question = pair
    if data.get("original") == "SELF":
        data = {**data, "original": str(question.pk)}
    response = staff_client.post(_close_url(question), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not _fresh(question).is_closed


def test_members_without_the_reputation_get_403_and_no_control(bob_client, pair):
    original, duplicate = pair
    page = bob_client.get(duplicate.get_absolute_url()).content.decode()
    assert 'id="close-control"' not in page
    response = bob_client.post(
        _close_url(duplicate), {"kind": "duplicate", "original": str(original.pk)}
    )
    assert response.status_code == 403
    assert "reputation can close a question" in response.content.decode()
    assert not _fresh(duplicate).is_closed


def test_anonymous_is_sent_to_log_in(client, pair):
    original, duplicate = pair
    response = client.post(_close_url(duplicate), {"kind": "duplicate", "original": original.pk})
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not _fresh(duplicate).is_closed


def test_close_and_reopen_need_csrf(pair, staff):
    original, duplicate = pair
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    response = client.post(_close_url(duplicate), {"kind": "duplicate", "original": original.pk})
    assert response.status_code == 403
    assert not _fresh(duplicate).is_closed
    duplicate.close_as_duplicate(original, by=staff)
    assert client.post(_reopen_url(duplicate)).status_code == 403
    assert _fresh(duplicate).is_closed


def test_close_is_post_only(staff_client, pair):
    _, question = pair
    assert staff_client.get(_close_url(question)).status_code == 405


def test_moderators_see_the_close_control(trusted_client, pair):
    _, question = pair
    page = trusted_client.get(question.get_absolute_url()).content.decode()
    assert 'id="close-control"' in page
    assert f'action="{_close_url(question)}"' in page
    assert 'name="original"' in page
    assert 'data-similar-url="/search/similar/"' in page


def test_closed_question_hides_the_answer_form_and_refuses_a_posted_answer(bob_client, pair, staff):
    original, duplicate = pair
    duplicate.close_as_duplicate(original, by=staff)
    page = bob_client.get(duplicate.get_absolute_url()).content.decode()
    assert "Post your answer" not in page
    assert "A closed question takes no new answers." in page
    response = bob_client.post(
        reverse("kb:answer-create", args=[duplicate.pk]), {"body": "My answer anyway, long enough."}
    )
    assert response.status_code == 409
    assert "This question is closed" in response.content.decode()
    assert _fresh(duplicate).answer_count == 0


def test_the_original_lists_its_duplicates(client, pair, staff):
    original, duplicate = pair
    duplicate.close_as_duplicate(original, by=staff)
    page = client.get(original.get_absolute_url()).content.decode()
    assert "Duplicates of this question" in page
    assert f'href="{duplicate.get_absolute_url()}"' in page
    assert "Closed as a duplicate" not in page


def test_reopen_through_the_form(trusted_client, pair, staff, bob):
    original, duplicate = pair
    duplicate.close_as_duplicate(original, by=staff)
    page = trusted_client.get(duplicate.get_absolute_url()).content.decode()
    assert f'action="{_reopen_url(duplicate)}"' in page
    assert trusted_client.post(_reopen_url(duplicate)).status_code == 302
    page = trusted_client.get(duplicate.get_absolute_url()).content.decode()
    assert "Closed as" not in page
    assert "Post your answer" in page
    assert "Duplicates of this question" not in client_page(original)


def client_page(post):
    return Client().get(post.get_absolute_url()).content.decode()


def test_reopen_refused_to_members_without_reputation(bob_client, pair, staff):
    original, duplicate = pair
    duplicate.close_as_duplicate(original, by=staff)
    page = bob_client.get(duplicate.get_absolute_url()).content.decode()
    assert _reopen_url(duplicate) not in page
    assert bob_client.post(_reopen_url(duplicate)).status_code == 403
    assert _fresh(duplicate).is_closed


def test_question_lists_mark_closed_questions(client, pair, staff, alice):
    original, duplicate = pair
    off_topic = make_question(alice, title="Best pizza in town?")
    duplicate.close_as_duplicate(original, by=staff)
    off_topic.close_as_off_topic("Not about careers", by=staff)
    html = client.get(reverse("kb:question-list")).content.decode()
    duplicate_badge = '<span class="closed-badge">duplicate</span> <a href="'
    assert duplicate_badge + duplicate.get_absolute_url() in html
    closed_badge = '<span class="closed-badge">closed</span> <a href="'
    assert closed_badge + off_topic.get_absolute_url() in html
    assert duplicate_badge + original.get_absolute_url() not in html


def test_duplicate_count_follows_closing_and_reopening(pair, staff, alice):
    original, duplicate = pair
    third = make_question(alice)
    duplicate.close_as_duplicate(original, by=staff)
    third.close_as_duplicate(original, by=staff)
    assert _fresh(original).duplicate_count == 2
    _fresh(third).reopen(by=staff)
    assert _fresh(original).duplicate_count == 1


def _queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_question_page_queries_do_not_grow_with_duplicates(client, bob, pair, staff, alice):
    original, duplicate = pair
    duplicate.close_as_duplicate(original, by=staff)
    client.force_login(bob)
    with_one = _queries_for(client, original.get_absolute_url())
    for _ in range(4):
        make_question(alice).close_as_duplicate(original, by=staff)
    assert _queries_for(client, original.get_absolute_url()) == with_one
    assert _queries_for(client, duplicate.get_absolute_url()) == with_one


def test_closing_a_closed_question_or_reopening_an_open_one_is_a_400(staff_client, pair, staff):
    original, duplicate = pair
    response = staff_client.post(_reopen_url(duplicate))
    assert response.status_code == 400
    assert "This question is open already." in response.content.decode()
    duplicate.close_as_duplicate(original, by=staff)
    response = staff_client.post(_close_url(duplicate), {"kind": "off-topic", "reason": "x"})
    assert response.status_code == 400
    assert "closed already" in response.content.decode()
    assert _fresh(duplicate).is_duplicate
