"""Canonical "Start here for <tag>" answers (issue 13, item 4): one per tag, by moderators."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from taggit.models import Tag

from kb.models import CanonicalAnswer, CanonicalRefused
from tests.factories import make_answer, make_question, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def answer(alice, bob):
    question = make_question(
        alice, title="PhD or a product team for computer vision?", tags=["phd-vs-product", "skills"]
    )
    return make_answer(question, bob, body="Ask what you want to be doing in five years first.")


@pytest.fixture
def phd():
    return Tag.objects.get(name="phd-vs-product")


@pytest.fixture
def trusted(db, settings):
    settings.CANONICAL_MIN_REPUTATION = 1000
    return make_user("tina", display_name="Tina Trusted", reputation=1000)


def _mark_url(answer):
    return reverse("kb:answer-canonical", args=[answer.pk])


def _unmark_url(tag):
    return reverse("kb:tag-canonical-remove", args=[tag.slug])


# -- domain ----------------------------------------------------------------------------------


def test_staff_marks_an_answer_for_a_tag_of_its_question(answer, phd, staff):
    mark = answer.mark_canonical(phd, by=staff)
    assert CanonicalAnswer.for_tag(phd) == mark
    assert mark.marked_by == staff


def test_marking_another_answer_replaces_the_first(answer, phd, staff):
    answer.mark_canonical(phd, by=staff)
    other = make_answer(answer.parent, body="Talk to people two years into each path.")
    other.mark_canonical(phd, by=staff)
    assert CanonicalAnswer.objects.get(tag=phd).answer == other
    assert CanonicalAnswer.objects.count() == 1


def test_one_per_tag_is_a_database_constraint(answer, phd, staff):
    answer.mark_canonical(phd, by=staff)
    other = make_answer(answer.parent, body="Talk to people two years into each path.")
    with pytest.raises(IntegrityError), transaction.atomic():
        CanonicalAnswer.objects.create(tag=phd, answer=other)


def test_a_tag_the_question_lacks_is_refused(answer, staff):
    other_tag = Tag.objects.create(name="salary", slug="salary")
    with pytest.raises(CanonicalRefused):
        answer.mark_canonical(other_tag, by=staff)


def test_members_need_the_reputation(answer, phd, bob, trusted):
    with pytest.raises(PermissionDenied):
        answer.mark_canonical(phd, by=make_user(reputation=999))
    assert answer.mark_canonical(phd, by=trusted).answer == answer


def test_unmark(answer, phd, staff, bob):
    answer.mark_canonical(phd, by=staff)
    with pytest.raises(PermissionDenied):
        CanonicalAnswer.unmark(phd, by=bob)
    assert CanonicalAnswer.unmark(phd, by=staff)
    assert not CanonicalAnswer.unmark(phd, by=staff)
    assert CanonicalAnswer.for_tag(phd) is None


def test_a_deleted_answer_is_not_shown(answer, phd, staff, bob):
    answer.mark_canonical(phd, by=staff)
    answer.soft_delete(by=bob)
    assert CanonicalAnswer.for_tag(phd) is None


# -- views ----------------------------------------------------------------------------------------


def test_the_start_here_answer_tops_its_tag_page(client, answer, phd, staff):
    answer.mark_canonical(phd, by=staff)
    page = client.get(reverse("kb:tag-detail", args=[phd.slug])).content.decode()
    assert "Start here for phd-vs-product" in page
    assert answer.get_absolute_url() in page
    assert page.index("Start here for phd-vs-product") < page.index("Newest questions")
    other_tag = client.get(reverse("kb:tag-detail", args=["skills"])).content.decode()
    assert "Start here for" not in other_tag


def test_the_answer_carries_a_start_here_badge(client, answer, phd, staff):
    answer.mark_canonical(phd, by=staff)
    page = client.get(answer.parent.get_absolute_url()).content.decode()
    assert 'class="start-here-badge"' in page
    assert f'href="{reverse("kb:tag-detail", args=[phd.slug])}"' in page


def test_staff_marks_through_the_form(staff_client, answer, phd):
    page = staff_client.get(answer.parent.get_absolute_url()).content.decode()
    assert _mark_url(answer) in page
    response = staff_client.post(_mark_url(answer), {"tag": "phd-vs-product"})
    assert response.status_code == 302
    assert CanonicalAnswer.objects.get(tag=phd).answer == answer


def test_trusted_member_marks_through_the_form(client, answer, phd, trusted):
    client.force_login(trusted)
    assert client.post(_mark_url(answer), {"tag": "phd-vs-product"}).status_code == 302
    assert CanonicalAnswer.objects.filter(tag=phd).exists()


def test_author_and_other_members_get_403(client, answer, alice, bob):
    for user in (alice, bob):
        client.force_login(user)
        assert (
            _mark_url(answer) not in client.get(answer.parent.get_absolute_url()).content.decode()
        )
        assert client.post(_mark_url(answer), {"tag": "phd-vs-product"}).status_code == 403
    assert not CanonicalAnswer.objects.exists()


def test_visitor_is_sent_to_log_in(client, answer):
    response = client.post(_mark_url(answer), {"tag": "phd-vs-product"})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_get_is_not_allowed(staff_client, answer, phd):
    assert staff_client.get(_mark_url(answer)).status_code == 405
    assert staff_client.get(_unmark_url(phd)).status_code == 405


@pytest.mark.parametrize("tag", ["", "no-such-tag", "salary"])
def test_a_tag_not_on_the_question_is_a_400(staff_client, answer, tag):
    Tag.objects.get_or_create(name="salary", slug="salary")
    response = staff_client.post(_mark_url(answer), {"tag": tag})
    assert response.status_code == 400
    assert not CanonicalAnswer.objects.exists()


def test_a_question_cannot_be_marked(staff_client, answer):
    response = staff_client.post(_mark_url(answer.parent), {"tag": "phd-vs-product"})
    assert response.status_code == 404


def test_staff_unmarks_on_the_tag_page(staff_client, answer, phd, staff):
    answer.mark_canonical(phd, by=staff)
    page = staff_client.get(reverse("kb:tag-detail", args=[phd.slug])).content.decode()
    assert _unmark_url(phd) in page
    response = staff_client.post(_unmark_url(phd))
    assert response.status_code == 302
    assert not CanonicalAnswer.objects.exists()


def test_members_cannot_unmark(client, answer, phd, staff, bob):
    answer.mark_canonical(phd, by=staff)
    response = client.post(_unmark_url(phd))
    assert response.status_code == 302  # to log in
    client.force_login(bob)
    assert (
        _unmark_url(phd)
        not in client.get(reverse("kb:tag-detail", args=[phd.slug])).content.decode()
    )
    assert client.post(_unmark_url(phd)).status_code == 403
    assert CanonicalAnswer.objects.exists()


def test_marking_drops_the_cached_tag_page(client, answer, phd, staff):
    url = reverse("kb:tag-detail", args=[phd.slug])
    assert "Start here for" not in client.get(url).content.decode()
    answer.mark_canonical(phd, by=staff)
    assert "Start here for" in client.get(url).content.decode()
    CanonicalAnswer.unmark(phd, by=staff)
    assert "Start here for" not in client.get(url).content.decode()


def test_tag_page_with_a_start_here_answer_keeps_its_budget(
    client, answer, phd, staff, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    answer.mark_canonical(phd, by=staff)
    with django_assert_max_num_queries(6):  # the tag page's budget: the mark comes with the tag
        page = client.get(reverse("kb:tag-detail", args=[phd.slug])).content.decode()
    assert "Start here for" in page
