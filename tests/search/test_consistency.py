"""The index follows the database after each commit, even with several writers at once."""

import multiprocessing

import pytest

from kb import search
from kb.models import Post
from kb.search.query import parse
from tests.factories import make_answer, make_question
from tests.search._writers import write_documents
from tests.search.conftest import ids

pytestmark = pytest.mark.django_db

WRITERS = 4
POSTS_EACH = 12


@pytest.mark.parametrize("engine_name", ["whoosh", "tantivy"])
def test_concurrent_writers_lose_nothing(settings, engine_name):
    """Several processes (gunicorn workers) writing at once: no LockError, no lost update."""
    settings.SEARCH_BACKEND = engine_name
    index_dir = str(settings.INDEX_DIR)
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(
            target=write_documents, args=(engine_name, index_dir, 1 + i * POSTS_EACH, POSTS_EACH)
        )
        for i in range(WRITERS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [worker.exitcode for worker in workers] == [0] * WRITERS
    indexed = search.get_backend().fingerprints()
    assert sorted(indexed) == list(range(1, WRITERS * POSTS_EACH + 1))


def test_concurrent_writers_postgres(settings):
    """PostgreSQL: upserts from several connections at once, none lost."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the postgres engine needs KB_DATABASE_URL=postgres://… (CI runs it)")
    import threading

    import psycopg

    from kb.search.documents import SearchDocument
    from kb.search.postgres_backend import PostgresBackend

    params = connection.get_connection_params()
    url_params = {k: params[k] for k in ("host", "port", "user", "dbname") if params.get(k)}
    table = "kb_search_concurrency_test"
    admin = psycopg.connect(**url_params, autocommit=True)
    admin.execute(f"DROP TABLE IF EXISTS {table}")
    try:
        PostgresBackend(lambda: admin, table=table).create_table()

        def writer(first):
            own = psycopg.connect(**url_params, autocommit=True)
            backend = PostgresBackend(lambda: own, table=table)
            for post_id in range(first, first + POSTS_EACH):
                doc = SearchDocument(id=post_id, kind="question", title="t", body="b", url="/")
                backend.index_documents([doc])
            own.close()

        threads = [
            threading.Thread(target=writer, args=(1 + i * POSTS_EACH,)) for i in range(WRITERS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        found = PostgresBackend(lambda: admin, table=table).fingerprints()
        assert sorted(found) == list(range(1, WRITERS * POSTS_EACH + 1))
    finally:
        admin.execute(f"DROP TABLE IF EXISTS {table}")
        admin.close()


def test_nothing_is_indexed_before_the_commit(engine, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_question(title="Uncommitted thoughts")
    assert search.search(parse("uncommitted")).total == 0
    for callback in callbacks:
        callback()
    assert search.search(parse("uncommitted")).total == 1


def test_one_write_per_commit_for_many_changes(engine, indexed, monkeypatch):
    calls = []
    original = type(engine).index_documents

    def counting(self, documents):
        calls.append([d.id for d in documents])
        return original(self, documents)

    monkeypatch.setattr(type(engine), "index_documents", counting)
    with indexed():
        question = make_question(title="Batching", tags=["one", "two"])
        make_answer(question, body="Batched too.")
    assert len(calls) == 1


def test_accepting_an_answer_updates_both_posts(engine, indexed):
    with indexed():
        question = make_question(title="Accepted flow")
        answer = make_answer(question, body="The accepted flow answer.")
    with indexed():
        Post.objects.filter(pk=question.pk).update(accepted_answer=answer)
        search.schedule_reindex(question.pk, answer.pk)
    assert ids(search.search(parse("accepted flow accepted:yes"))) == [question.pk]
    assert ids(search.search(parse("accepted flow accepted:yes is:answer"))) == [answer.pk]


def test_restoring_a_deleted_post_brings_it_back(engine, indexed):
    with indexed():
        post = make_question(title="Comeback story", is_deleted=True)
    assert search.search(parse("comeback")).total == 0
    with indexed():
        Post.objects.filter(pk=post.pk).update(is_deleted=False)
        search.schedule_reindex(post.pk)
    assert ids(search.search(parse("comeback"))) == [post.pk]
