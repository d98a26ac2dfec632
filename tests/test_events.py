"""One "content changed" event: the domain sends it; the page cache and the search listen."""

import ast
from pathlib import Path

import pytest
from django.db import transaction

from kb import cache as page_cache
from kb import events
from kb.models import Post, TagSynonym
from kb.tags import get_or_create_tags
from tests.factories import make_answer, make_comment, make_question, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent():
    """The post ids of every content_changed event sent while the test runs."""
    received = []

    def receiver(sender, post_ids, **kwargs):
        received.append(set(post_ids))

    events.content_changed.connect(receiver, dispatch_uid="test-events")
    yield received
    events.content_changed.disconnect(dispatch_uid="test-events")


@pytest.fixture
def thread(alice, bob):
    question = make_question(author=alice, title="Should I take the startup offer?")
    return question, make_answer(question, author=bob)


def test_the_domain_imports_no_cache_and_no_search_engine():
    source = Path(__file__).resolve().parents[1].joinpath("kb", "models.py").read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    assert not {name for name in imported if name.startswith(("kb.cache", "kb.search"))}


def test_the_cache_and_the_search_subscribe_in_app_ready():
    # Django keeps a receiver with a dispatch_uid as ((dispatch_uid, sender id), ...).
    receivers = {lookup[0] for lookup, *_ in events.content_changed.receivers}
    assert {"kb-cache-content", "kb-search-content"} <= receivers


def test_publishing_a_question_sends_its_id(sent, alice):
    question = Post.publish(
        alice, kind=Post.Kind.QUESTION, title="How do I ask for a raise?", body="x" * 30
    )
    assert sent == [{question.pk}]


def test_an_answer_names_the_answer_and_its_question(thread, sent, bob):
    question, _ = thread
    answer = question.add_answer(bob, "Another answer with enough words in it.")
    assert sent == [{question.pk, answer.pk}]


def test_a_vote_a_comment_and_its_deletion_name_the_post(thread, sent, bob):
    question, answer = thread
    question.toggle_vote(bob)
    comment = make_comment(answer)
    comment.soft_delete()
    comment.restore()
    assert sent == [{question.pk}, {answer.pk}, {answer.pk}, {answer.pk}]


def test_accepting_names_the_question_and_both_answers(thread, sent, alice, bob):
    question, first = thread
    question.accept(first, by=alice)
    second = make_answer(question)
    sent.clear()
    question.accept(second, by=alice)
    question.unaccept(by=alice)
    assert sent == [{question.pk, first.pk, second.pk}, {question.pk, second.pk}]


def test_editing_or_deleting_a_question_names_the_question_alone(thread, sent, alice, staff):
    # Its answers follow it in the search layer (tests/search/test_deleted_threads.py).
    question, _answer = thread
    question.edit(alice, title="Should I take the offer from a startup?", body=question.body)
    question.soft_delete(by=alice)
    question.restore(by=staff)
    assert sent == [{question.pk}] * 3


def test_deleting_an_answer_names_its_question(thread, sent, bob):
    question, answer = thread
    answer.soft_delete(by=bob)
    assert sent == [{answer.pk, question.pk}]


def test_a_synonym_names_the_retagged_posts(thread, sent):
    question, _answer = thread
    question.tags.set(get_or_create_tags(["faang"]))
    synonym = TagSynonym.objects.create(source="faang", target=get_or_create_tags(["big-tech"])[0])
    sent.clear()
    synonym.retag_existing_posts()
    assert sent == [{question.pk}]


def test_an_event_bumps_the_page_cache_now_and_after_the_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        before = page_cache.content_version()
        events.announce(Post, 1)
        during = page_cache.content_version()
    assert before < during < page_cache.content_version()


def test_search_reindexes_after_the_commit_only(monkeypatch, django_capture_on_commit_callbacks):
    indexed = []
    monkeypatch.setattr("kb.search.reindex_now", lambda ids: indexed.append(sorted(ids)))
    monkeypatch.setattr("kb.search.vectors.sync", lambda ids: None)
    with django_capture_on_commit_callbacks(execute=True):
        events.announce(Post, 1, 2)
        events.announce(Post, 2, 3)
        assert indexed == []
    assert indexed == [[1, 2, 3]]  # one index write for the whole transaction


def test_a_rolled_back_change_reindexes_nothing(
    monkeypatch, django_capture_on_commit_callbacks, thread, bob
):
    indexed = []
    monkeypatch.setattr("kb.search.reindex_now", lambda ids: indexed.append(ids))
    question, _ = thread

    def vote_then_fail():
        with transaction.atomic():
            question.toggle_vote(bob)
            raise RuntimeError("the request failed after the vote")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        vote_then_fail()
    question.refresh_from_db()
    assert question.score == 0
    assert indexed == []


def test_a_failed_index_update_loses_no_post(monkeypatch, django_capture_on_commit_callbacks):
    def broken(ids):
        raise OSError("disk full")

    monkeypatch.setattr("kb.search.reindex_now", broken)
    with django_capture_on_commit_callbacks(execute=True):
        question = make_question(title="Is a bootcamp worth it at forty?")
    assert Post.objects.filter(pk=question.pk).exists()


def test_an_import_of_many_posts_asks_for_a_rebuild(
    monkeypatch, django_capture_on_commit_callbacks
):
    rebuilt = []
    monkeypatch.setattr("kb.search.rebuild_from_database", lambda: rebuilt.append(True))
    with django_capture_on_commit_callbacks(execute=True):
        events.announce(Post, all_posts=True)
        assert rebuilt == []
    assert rebuilt == [True]


def test_a_new_member_changes_no_search_document(sent):
    make_user("carol")
    assert sent == []
