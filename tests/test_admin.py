"""Moderation in the admin: every model registered, spam found by text and hidden in bulk."""

import pytest
from django.apps import apps
from django.contrib import admin as django_admin
from django.test import Client, RequestFactory
from taggit.models import Tag

from accounts.models import User
from kb.advice_models import CanonicalAnswer, Outcome
from kb.models import Comment, Post, PostLink, Revision, TagInfo, TagSynonym, Vote
from kb.tags import get_or_create_tags
from tests.factories import make_answer, make_comment, make_question, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


# PostVector holds derived search data, rebuilt from the posts: nothing to look up by hand.
DERIVED = {"PostVector"}


@pytest.mark.parametrize(
    "model",
    [model for model in apps.get_app_config("kb").get_models() if model.__name__ not in DERIVED],
    ids=lambda model: model.__name__,
)
def test_every_model_is_registered(model):
    assert django_admin.site.is_registered(model)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/kb/post/",
        "/admin/kb/vote/",
        "/admin/kb/comment/",
        "/admin/kb/revision/",
        "/admin/kb/taginfo/",
        "/admin/kb/tagsynonym/",
        "/admin/kb/postlink/",
        "/admin/kb/post/?kind__exact=question&is_deleted__exact=0",
        "/admin/kb/notification/",
        "/admin/kb/questionfollow/",
        "/admin/kb/bookmark/",
        "/admin/kb/tagfollow/",
        "/admin/kb/outcome/",
        "/admin/kb/canonicalanswer/",
    ],
)
def test_changelists_render(admin_client, url):
    question = make_question()
    answer = make_answer(question)
    Vote.objects.create(post=answer, user=make_user())
    make_comment(question)
    Revision.objects.create(post=question, body="old body")
    TagInfo.objects.create(tag=get_or_create_tags(["skills"])[0], description="About skills")
    TagSynonym.objects.create(source="faang", target=get_or_create_tags(["big-tech"])[0])
    PostLink.objects.create(from_post=question, to_post=make_question())
    Outcome.objects.create(question=question, author=question.author, body="I took the offer.")
    CanonicalAnswer.objects.create(tag=get_or_create_tags(["skills"])[0], answer=answer)
    response = admin_client.get(url)
    assert response.status_code == 200


def test_admin_is_closed_to_members(client, bob):
    client.force_login(bob)
    response = client.get("/admin/kb/post/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_moderator_finds_spam_by_text_and_author(admin_client):
    spammer = make_user("spammer")
    make_question(author=spammer, title="Cheap watches for sale, click here now")
    make_question(title="An honest question about interviews")
    by_text = admin_client.get("/admin/kb/post/?q=watches").content.decode()
    assert "Cheap watches for sale" in by_text
    assert "An honest question" not in by_text
    by_author = admin_client.get("/admin/kb/post/?q=spammer").content.decode()
    assert "Cheap watches for sale" in by_author


def test_soft_delete_and_restore_actions(admin_client, client):
    spam = make_question(title="Spam question to hide from everyone")
    answer = make_answer(make_question(title="A real question with a spam answer"))
    question = answer.parent
    response = admin_client.post(
        "/admin/kb/post/",
        {"action": "soft_delete_posts", "_selected_action": [spam.pk, answer.pk]},
        follow=True,
    )
    assert "2 post(s) hidden." in response.content.decode()
    spam.refresh_from_db()
    question.refresh_from_db()
    assert spam.is_deleted
    assert spam.deleted_at is not None
    assert spam.deleted_by.username == "root"
    assert question.answer_count == 0
    assert "Spam question to hide" not in client.get("/questions/").content.decode()

    admin_client.post(
        "/admin/kb/post/",
        {"action": "restore_posts", "_selected_action": [spam.pk, answer.pk]},
    )
    spam.refresh_from_db()
    question.refresh_from_db()
    assert not spam.is_deleted
    assert spam.deleted_at is None
    assert question.answer_count == 1
    assert "Spam question to hide" in client.get("/questions/").content.decode()


def test_hiding_twice_does_not_double_count(admin_client):
    answer = make_answer(make_question())
    for _ in range(2):
        admin_client.post(
            "/admin/kb/post/", {"action": "soft_delete_posts", "_selected_action": [answer.pk]}
        )
    answer.parent.refresh_from_db()
    assert answer.parent.answer_count == 0


def test_comment_delete_and_restore_actions(admin_client):
    question = make_question()
    comment = make_comment(question, body="Buy followers cheap, visit my site today")
    admin_client.post(
        "/admin/kb/comment/", {"action": "delete_comments", "_selected_action": [comment.pk]}
    )
    comment.refresh_from_db()
    question.refresh_from_db()
    assert comment.is_deleted
    assert question.comment_count == 0
    admin_client.post(
        "/admin/kb/comment/", {"action": "restore_comments", "_selected_action": [comment.pk]}
    )
    comment.refresh_from_db()
    question.refresh_from_db()
    assert not comment.is_deleted
    assert question.comment_count == 1


def test_revisions_are_read_only(admin_client):
    revision = Revision.objects.create(post=make_question(), body="old body")
    assert admin_client.get("/admin/kb/revision/add/").status_code == 403
    response = admin_client.post(
        f"/admin/kb/revision/{revision.pk}/change/", {"body": "rewritten history"}
    )
    assert response.status_code == 403
    revision.refresh_from_db()
    assert revision.body == "old body"


def test_adding_a_synonym_in_the_admin_retags_posts(admin_client):
    question = make_question()
    question.tags.set(get_or_create_tags(["ml-engineer"]))
    target = get_or_create_tags(["mle"])[0]
    response = admin_client.post(
        "/admin/kb/tagsynonym/add/",
        {
            "source": "ml-engineer",
            "target": target.pk,
            "created_at_0": "2026-01-01",
            "created_at_1": "10:00:00",
        },
    )
    assert response.status_code == 302
    assert [tag.name for tag in question.tags.all()] == ["mle"]
    assert not Tag.objects.filter(name="ml-engineer").exists()


def _rep(user):
    return User.objects.values_list("reputation", flat=True).get(pk=user.pk)


@pytest.mark.parametrize("model", [Post, Vote, Comment])
def test_posts_votes_and_comments_have_no_hard_delete(admin_client, model):
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(username="root")
    model_admin = django_admin.site._registry[model]
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)
    name = model._meta.model_name
    assert 'value="delete_selected"' not in admin_client.get(f"/admin/kb/{name}/").content.decode()


def test_the_post_page_in_the_admin_has_no_delete_button_and_no_form(admin_client):
    question = make_question(title="A question a moderator looks at")
    html = admin_client.get(f"/admin/kb/post/{question.pk}/change/").content.decode()
    assert "A question a moderator looks at" in html
    assert "deletelink" not in html
    assert 'name="_save"' not in html
    assert admin_client.get(f"/admin/kb/post/{question.pk}/delete/").status_code == 403
    assert (
        admin_client.post(f"/admin/kb/post/{question.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Post.objects.filter(pk=question.pk).exists()


def test_a_post_cannot_be_rewritten_in_the_admin(admin_client):
    question = make_question(title="The asker's own words stay")
    response = admin_client.post(
        f"/admin/kb/post/{question.pk}/change/", {"title": "Rewritten", "body": "Rewritten body"}
    )
    assert response.status_code == 403
    question.refresh_from_db()
    assert question.title == "The asker's own words stay"


def test_a_vote_cannot_be_added_or_changed_in_the_admin(admin_client):
    answer = make_answer(make_question())
    voter = make_user()
    answer.toggle_vote(voter)
    vote = Vote.objects.get()
    assert admin_client.get("/admin/kb/vote/add/").status_code == 403
    response = admin_client.post(f"/admin/kb/vote/{vote.pk}/change/", {"value": "-1"})
    assert response.status_code == 403
    vote.refresh_from_db()
    assert vote.value == 1


def test_hiding_an_accepted_answer_unaccepts_it_and_takes_back_fifteen(admin_client, alice, bob):
    question = make_question(author=alice)
    answer = make_answer(question, author=bob)
    question.accept(answer, by=alice)
    assert _rep(bob) == 15
    response = admin_client.post(
        "/admin/kb/post/", {"action": "soft_delete_posts", "_selected_action": [answer.pk]}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.accepted_answer_id is None
    assert question.answer_count == 0
    assert _rep(bob) == 0


def test_a_bulk_hide_that_fails_half_way_hides_nothing(admin_client, monkeypatch):
    first, second = make_question(), make_question()
    real_soft_delete = Post.soft_delete
    calls = []

    def fail_on_the_second(post, *, by):
        calls.append(post.pk)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        real_soft_delete(post, by=by)

    monkeypatch.setattr(Post, "soft_delete", fail_on_the_second)
    with pytest.raises(RuntimeError):
        admin_client.post(
            "/admin/kb/post/",
            {"action": "soft_delete_posts", "_selected_action": [first.pk, second.pk]},
        )
    assert len(calls) == 2
    assert not Post.objects.filter(is_deleted=True).exists()


def test_withdrawing_votes_in_the_admin_restores_score_and_reputation(admin_client, alice):
    answer = make_answer(make_question(), author=alice)
    voters = [make_user(), make_user()]
    for voter in voters:
        answer.toggle_vote(voter)
    assert _rep(alice) == 20
    response = admin_client.post(
        "/admin/kb/vote/",
        {
            "action": "withdraw_votes",
            "_selected_action": list(Vote.objects.values_list("pk", flat=True)),
        },
        follow=True,
    )
    assert "2 vote(s) withdrawn." in response.content.decode()
    answer.refresh_from_db()
    assert answer.score == 0
    assert not Vote.objects.exists()
    assert _rep(alice) == 0


def test_unmarking_a_start_here_answer_in_the_admin_clears_the_tag_page(admin_client, client):
    question = make_question(tags=["skills"])
    answer = make_answer(question, body="Learn the maths first, then the frameworks.")
    tag = Tag.objects.get(name="skills")
    answer.mark_canonical(tag, by=None)
    assert "Start here" in client.get("/tags/skills/").content.decode()
    canonical = CanonicalAnswer.objects.get()
    response = admin_client.post(
        "/admin/kb/canonicalanswer/",
        {"action": "unmark_canonical", "_selected_action": [canonical.pk]},
        follow=True,
    )
    assert "1 start-here answer(s) unmarked." in response.content.decode()
    assert not CanonicalAnswer.objects.exists()
    assert "Start here" not in client.get("/tags/skills/").content.decode()
