"""Fresh advice (issue 13, item 4): old answers and experience posts say their age."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kb.advice import months_before, stale_before
from kb.models import Post
from tests.factories import make_answer, make_experience, make_question, make_user

pytestmark = pytest.mark.django_db

OLD = timezone.now() - timedelta(days=3 * 365)


@pytest.fixture
def old_answer(alice, bob):
    question = make_question(alice, title="Is a bootcamp enough to get a data job?")
    return make_answer(
        question, bob, body="In my year, a bootcamp plus a portfolio was enough.", created_at=OLD
    )


def _reconfirm_url(post):
    return reverse("kb:post-reconfirm", args=[post.pk])


def _page(client, answer):
    return client.get(answer.parent.get_absolute_url()).content.decode()


def _fresh(post):
    return Post.objects.get(pk=post.pk)


def test_stale_before_follows_the_setting(settings):
    settings.ADVICE_STALE_MONTHS = 24
    now = timezone.now()
    assert stale_before(now) == months_before(now, 24)


def test_an_old_answer_says_its_year(client, old_answer):
    page = _page(client, old_answer)
    assert f"Advice from {OLD:%Y}." in page
    assert "Job markets change" in page


def test_a_recent_answer_says_nothing(client, alice):
    answer = make_answer(make_question(alice))
    assert "Advice from" not in _page(client, answer)


def test_the_age_follows_the_setting(client, old_answer, settings):
    settings.ADVICE_STALE_MONTHS = 48
    assert "Advice from" not in _page(client, old_answer)


def test_an_old_question_itself_is_not_marked(alice):
    question = make_question(alice, created_at=OLD)
    assert not question.is_advice_dated


def test_an_old_experience_post_says_its_year(client, alice):
    post = make_experience(alice, created_at=OLD)
    page = client.get(post.get_absolute_url()).content.decode()
    assert f"Advice from {OLD:%Y}." in page


def test_the_author_reconfirms_with_one_click(client, old_answer, bob):
    client.force_login(bob)
    assert f"Still true in {timezone.now():%Y}" in _page(client, old_answer)
    response = client.post(_reconfirm_url(old_answer))
    assert response.status_code == 302
    assert _fresh(old_answer).confirmed_at is not None
    assert "Advice from" not in _page(client, old_answer)


def test_reconfirming_an_experience_post(client, alice):
    post = make_experience(alice, created_at=OLD)
    client.force_login(alice)
    assert client.post(_reconfirm_url(post)).status_code == 302
    assert "Advice from" not in client.get(post.get_absolute_url()).content.decode()


def test_an_edit_by_the_author_makes_it_fresh(old_answer, bob):
    old_answer.edit(bob, body="Updated for this year: a portfolio matters more than the bootcamp.")
    assert not _fresh(old_answer).is_advice_dated


def test_an_edit_by_staff_does_not(old_answer, staff):
    old_answer.edit(staff, body="In my year, a bootcamp plus a portfolio was enough (typo fix).")
    assert _fresh(old_answer).is_advice_dated


def test_other_member_and_staff_get_403(client, old_answer, alice, staff):
    for user in (alice, staff):
        client.force_login(user)
        assert "Still true in" not in _page(client, old_answer)
        assert client.post(_reconfirm_url(old_answer)).status_code == 403
    assert _fresh(old_answer).confirmed_at is None


def test_visitor_is_sent_to_log_in(client, old_answer):
    response = client.post(_reconfirm_url(old_answer))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_get_is_not_allowed(bob_client, old_answer):
    assert bob_client.get(_reconfirm_url(old_answer)).status_code == 405
    assert _fresh(old_answer).confirmed_at is None


def test_a_question_cannot_be_reconfirmed(alice_client, alice):
    question = make_question(alice, created_at=OLD)
    assert alice_client.post(_reconfirm_url(question)).status_code == 403


def test_a_deleted_answer_is_404(bob_client, old_answer, bob):
    old_answer.soft_delete(by=bob)
    assert bob_client.post(_reconfirm_url(old_answer)).status_code == 404


def test_reconfirming_drops_the_cached_page(client, old_answer, bob):
    assert "Advice from" in _page(client, old_answer)  # cached for visitors now
    old_answer.reconfirm(by=bob)
    assert "Advice from" not in _page(client, old_answer)


def test_question_page_with_old_answers_stays_within_budget(
    client, alice, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    question = make_question(alice)
    for _ in range(5):
        make_answer(question, make_user(), created_at=OLD)
    with django_assert_max_num_queries(13):
        client.get(question.get_absolute_url())
