"""Editing (with revisions), soft delete and restore of questions, answers and experience posts."""

import pytest
from django.urls import reverse

from kb.models import Post, Revision
from tests.factories import make_answer, make_experience, make_question

NEW_BODY = "A clearer version of the question, with where I am now and my two options."


def _edit_url(post):
    return reverse("kb:post-edit", args=[post.pk])


@pytest.fixture
def question(alice):
    return make_question(author=alice, title="PhD or a product team for vision?", tags=["phd"])


def test_author_sees_edit_form_filled_with_current_text(alice_client, question):
    response = alice_client.get(_edit_url(question))
    assert response.status_code == 200
    html = response.content.decode()
    assert "PhD or a product team for vision?" in html
    assert question.body in html
    assert 'value="phd"' in html


def test_edit_saves_new_text_and_keeps_old_as_revision(alice, alice_client, question):
    old_body = question.body
    response = alice_client.post(
        _edit_url(question),
        {
            "title": "PhD or product team for computer vision?",
            "body": NEW_BODY,
            "tags": "phd skills",
        },
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.title == "PhD or product team for computer vision?"
    assert question.slug == "phd-or-product-team-for-computer-vision"
    assert response["Location"] == question.get_absolute_url()
    assert question.body == NEW_BODY
    assert question.edited_at is not None
    assert question.tag_names() == ["phd", "skills"]
    revision = Revision.objects.get(post=question)
    assert revision.editor == alice
    assert revision.title == "PhD or a product team for vision?"
    assert revision.body == old_body
    assert revision.tags == "phd"


def test_invalid_edit_rerenders_with_400_and_changes_nothing(alice_client, question):
    response = alice_client.post(
        _edit_url(question), {"title": "short", "body": "tiny", "tags": ""}
    )
    assert response.status_code == 400
    assert "Write at least 15 characters" in response.content.decode()
    question.refresh_from_db()
    assert question.edited_at is None
    assert not Revision.objects.exists()


def test_edit_preview_shows_rendered_markdown_without_saving(alice_client, question):
    response = alice_client.post(
        _edit_url(question),
        {
            "title": question.title,
            "body": "**bold plan** " + NEW_BODY,
            "tags": "phd",
            "preview": "1",
        },
    )
    assert response.status_code == 200
    assert "<strong>bold plan</strong>" in response.content.decode()
    question.refresh_from_db()
    assert question.edited_at is None


def test_answer_edit_changes_only_the_body(bob, bob_client, question):
    answer = make_answer(question, author=bob)
    response = bob_client.post(_edit_url(answer), {"body": NEW_BODY})
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.body == NEW_BODY
    assert answer.title == ""
    assert Revision.objects.get(post=answer).editor == bob


def test_staff_can_edit_anyones_post(staff, staff_client, question):
    response = staff_client.post(
        _edit_url(question), {"title": question.title, "body": NEW_BODY, "tags": "phd"}
    )
    assert response.status_code == 302
    assert Revision.objects.get(post=question).editor == staff


def test_other_user_cannot_edit(bob_client, question):
    response = bob_client.post(
        _edit_url(question), {"title": question.title, "body": NEW_BODY, "tags": "phd"}
    )
    assert response.status_code == 403
    question.refresh_from_db()
    assert question.body != NEW_BODY


def test_page_shows_edited_with_link_to_revisions(alice_client, client, question):
    alice_client.post(
        _edit_url(question), {"title": question.title, "body": NEW_BODY, "tags": "phd"}
    )
    client.logout()
    html = client.get(question.get_absolute_url()).content.decode()
    assert "edited" in html
    assert reverse("kb:post-revisions", args=[question.pk]) in html


def test_revisions_page_lists_newest_first_with_current_on_top(alice_client, client, question):
    for n in (1, 2):
        alice_client.post(
            _edit_url(question),
            {
                "title": question.title,
                "body": f"Version number {n + 1}. " + NEW_BODY,
                "tags": "phd",
            },
        )
    client.logout()
    response = client.get(reverse("kb:post-revisions", args=[question.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    current = html.index("Current version")
    second = html.index("Version number 2.")
    first = html.index(question.body[:40])
    assert current < html.index("Version number 3.") < second < first


def test_revisions_of_deleted_post_are_404_for_readers(client, question, alice):
    question.soft_delete(by=alice)
    assert client.get(reverse("kb:post-revisions", args=[question.pk])).status_code == 404


def test_author_soft_deletes_question_hidden_but_kept(alice_client, client, question):
    response = alice_client.post(reverse("kb:post-delete", args=[question.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("kb:question-list")
    question.refresh_from_db()
    assert question.is_deleted
    assert question.deleted_by.username == "alice"
    client.logout()
    assert client.get(question.get_absolute_url()).status_code == 404


def test_staff_sees_deleted_question_with_banner_and_restores(staff_client, question, alice):
    question.soft_delete(by=alice)
    response = staff_client.get(question.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "This question is deleted" in html
    assert reverse("kb:post-restore", args=[question.pk]) in html
    response = staff_client.post(reverse("kb:post-restore", args=[question.pk]))
    assert response.status_code == 302
    question.refresh_from_db()
    assert not question.is_deleted
    assert question.deleted_by is None


def test_author_cannot_restore(alice_client, question, alice):
    question.soft_delete(by=alice)
    assert alice_client.post(reverse("kb:post-restore", args=[question.pk])).status_code == 403
    question.refresh_from_db()
    assert question.is_deleted


def test_deleting_an_answer_decrements_answer_count_and_restore_counts_again(
    alice, staff, question
):
    answer = make_answer(question)
    make_answer(question)
    answer.soft_delete(by=alice)
    question.refresh_from_db()
    assert question.answer_count == 1
    answer.soft_delete(by=alice)  # a second click counts once
    question.refresh_from_db()
    assert question.answer_count == 1
    answer.restore(by=staff)
    question.refresh_from_db()
    assert question.answer_count == 2


def test_deleting_accepted_answer_unaccepts_and_reverses_reputation(alice, bob, question):
    answer = make_answer(question, author=bob)
    question.accept(answer, by=alice)
    bob.refresh_from_db()
    assert bob.reputation == 15
    answer.soft_delete(by=bob)
    bob.refresh_from_db()
    question.refresh_from_db()
    assert bob.reputation == 0
    assert question.accepted_answer_id is None
    assert question.answer_count == 0


def test_deleted_answer_is_not_shown_to_readers(client, alice, question):
    answer = make_answer(question, body="An answer that will be removed by its own author.")
    answer.soft_delete(by=alice)
    html = client.get(question.get_absolute_url()).content.decode()
    assert "will be removed by its own author" not in html


def test_deleting_an_answer_redirects_to_its_question(bob, bob_client, question):
    answer = make_answer(question, author=bob)
    response = bob_client.post(reverse("kb:post-delete", args=[answer.pk]))
    assert response.status_code == 302
    assert response["Location"] == question.get_absolute_url()


def test_edit_and_delete_links_shown_only_to_author_and_staff(client, alice, bob, staff, question):
    edit_url = _edit_url(question)
    for user, shown in ((alice, True), (bob, False), (staff, True)):
        client.force_login(user)
        assert (edit_url in client.get(question.get_absolute_url()).content.decode()) is shown
    client.logout()
    assert edit_url not in client.get(question.get_absolute_url()).content.decode()


def test_experience_post_edit_keeps_revision(alice_client, alice):
    post = make_experience(author=alice, tags=["career-switch"])
    response = alice_client.post(
        _edit_url(post),
        {
            "title": "From mechanics to perception, revised",
            "body": NEW_BODY,
            "tags": "career-switch",
        },
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.title == "From mechanics to perception, revised"
    assert Revision.objects.filter(post=post).count() == 1


def test_edit_of_deleted_post_is_404_for_its_author(alice_client, alice, question):
    question.soft_delete(by=alice)
    assert alice_client.get(_edit_url(question)).status_code == 404


def test_edit_reindexes(monkeypatch, alice_client, question):
    calls = []
    monkeypatch.setattr("kb.search.schedule_reindex", lambda *ids: calls.append(ids))
    alice_client.post(
        _edit_url(question), {"title": question.title, "body": NEW_BODY, "tags": "phd"}
    )
    assert any(question.pk in ids for ids in calls)


def test_soft_delete_leaves_row_in_database(alice, question):
    question.soft_delete(by=alice)
    assert Post.objects.filter(pk=question.pk).exists()
    assert not Post.objects.visible().filter(pk=question.pk).exists()


def test_edit_that_changes_nothing_keeps_no_revision(alice_client, question):
    data = {"title": question.title, "body": question.body, "tags": " ".join(question.tag_names())}
    response = alice_client.post(_edit_url(question), data, follow=True)
    assert response.status_code == 200
    assert "Nothing changed" in response.content.decode()
    question.refresh_from_db()
    assert question.edited_at is None
    assert not Revision.objects.filter(post=question).exists()


def test_deleted_posts_vanish_from_lists_feeds_and_sitemap_until_restored(
    client, alice, staff, monkeypatch
):
    reindexed = []
    monkeypatch.setattr("kb.search.schedule_reindex", lambda *ids: reindexed.extend(ids))
    question = make_question(alice, title="A question that will be deleted soon", tags=["gone"])
    story = make_experience(alice, title="A story that will be deleted soon", tags=["gone"])
    pages = [
        reverse("kb:home"),
        reverse("kb:question-list"),
        reverse("kb:post-list"),
        reverse("kb:tag-detail", args=["gone"]),
        reverse("kb:feed-questions"),
        reverse("kb:feed-posts"),
        reverse("kb:feed-tag", args=["gone"]),
        "/sitemap.xml",
    ]

    def shown_anywhere(post):
        return [url for url in pages if post.get_absolute_url() in client.get(url).content.decode()]

    assert shown_anywhere(question)
    assert shown_anywhere(story)
    question.soft_delete(by=alice)
    story.soft_delete(by=alice)
    assert shown_anywhere(question) == []
    assert shown_anywhere(story) == []
    assert {question.pk, story.pk} <= set(reindexed)

    reindexed.clear()
    question.restore(by=staff)
    story.restore(by=staff)
    assert shown_anywhere(question)
    assert shown_anywhere(story)
    assert {question.pk, story.pk} <= set(reindexed)
