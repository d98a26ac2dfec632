"""Sentence vectors: kept in the database, searched in each process's memory."""

import importlib
import json
import os
from datetime import timedelta

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kb.models import Post, PostVector
from kb.search import pgvectors, vectors
from tests.factories import make_answer, make_experience, make_question

pytestmark = pytest.mark.django_db


class CountingEncoder:
    """The real encoder, remembering every text it was asked to encode."""

    def __init__(self, inner):
        self.inner = inner
        self.texts = []

    @property
    def model_id(self):
        return self.inner.model_id

    def encode(self, texts):
        self.texts.extend(texts)
        return self.inner.encode(texts)


@pytest.fixture(autouse=True)
def _semantic(settings):
    settings.SEMANTIC_SEARCH = True
    vectors.reset()
    yield
    vectors.reset()


@pytest.fixture
def encoder(monkeypatch):
    spy = CountingEncoder(vectors._encoder())
    monkeypatch.setattr(vectors, "_encoder", lambda threads=None: spy)
    return spy


def text_vector(text):
    return vectors._encoder().encode([text])[0]


def nearest_ids(text, k=10, **options):
    return [pk for pk, _ in vectors.nearest_to_text(text, k, **options)]


def stored(post):
    return PostVector.objects.filter(pk=post.pk).first()


# --- sync ---------------------------------------------------------------------------------


def test_sync_stores_a_unit_vector_per_question_and_experience_post():
    question = make_question(title="How do I negotiate a salary offer?")
    experience = make_experience(title="How I negotiated my first salary")
    vectors.sync([question.pk, experience.pk])
    for post in (question, experience):
        row = stored(post)
        vector = np.frombuffer(row.vector, dtype="<f4")
        assert vector.shape == (384,)
        assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-4
        assert row.kind == post.kind
        assert row.checksum


def test_answers_get_no_vector(where):
    question = make_question()
    answer = make_answer(question)
    vectors.sync([question.pk, answer.pk])
    assert stored(answer) is None
    assert vectors.vector_of(answer.pk) is None
    assert vectors.vector_of(question.pk) is not None


def test_editing_the_title_encodes_the_post_again(encoder, alice):
    post = make_question(author=alice, title="Moving from finance into data science")
    vectors.sync([post.pk])
    before = stored(post)
    post.edit(alice, title="Moving from teaching into user research", body=post.body)
    vectors.sync([post.pk])
    after = stored(post)
    assert len(encoder.texts) == 2
    assert "teaching" in encoder.texts[-1]
    assert after.checksum != before.checksum
    assert after.updated_at > before.updated_at
    assert bytes(after.vector) != bytes(before.vector)


def test_a_change_outside_the_embedded_text_encodes_nothing(encoder):
    post = make_question(title="Is a bootcamp worth it?")
    vectors.sync([post.pk])
    before = stored(post)
    Post.objects.filter(pk=post.pk).update(score=7, view_count=100)
    post.tags.add("bootcamps")
    vectors.sync([post.pk])
    after = stored(post)
    assert len(encoder.texts) == 1
    assert (after.checksum, after.updated_at) == (before.checksum, before.updated_at)


def test_a_soft_deleted_post_becomes_a_tombstone_and_is_never_found(where, alice):
    kept = make_question(title="Preparing for a system design interview")
    gone = make_question(author=alice, title="Preparing for a system design interview loop")
    vectors.sync([kept.pk, gone.pk])
    assert set(nearest_ids("system design interview")) == {kept.pk, gone.pk}
    gone.soft_delete(by=alice)
    vectors.sync([gone.pk])
    row = stored(gone)
    assert (row.vector, row.checksum) == (None, "")
    assert nearest_ids("system design interview") == [kept.pk]
    assert vectors.vector_of(gone.pk) is None


def test_a_restored_post_gets_its_vector_back(where, alice, staff):
    post = make_question(author=alice, title="Asking for a promotion")
    vectors.sync([post.pk])
    post.soft_delete(by=alice)
    vectors.sync([post.pk])
    post.restore(by=staff)
    vectors.sync([post.pk])
    assert nearest_ids("promotion") == [post.pk]


def test_a_hard_deleted_post_becomes_a_tombstone(where):
    post = make_question(title="Leaving academia for industry")
    vectors.sync([post.pk])
    post_id = post.pk
    post.delete()
    vectors.sync([post_id])
    assert PostVector.objects.get(pk=post_id).vector is None
    assert nearest_ids("academia") == []


def test_sync_of_unknown_ids_writes_nothing():
    vectors.sync([987654])
    assert not PostVector.objects.exists()


def test_sync_makes_the_same_number_of_queries_for_one_post_or_many(encoder):
    one = [make_question().pk]
    many = [make_question().pk for _ in range(6)] + [make_experience().pk]
    with CaptureQueriesContext(connection) as for_one:
        vectors.sync(one)
    with CaptureQueriesContext(connection) as for_many:
        vectors.sync(many)
    assert len(for_one) == len(for_many) <= 4
    assert PostVector.objects.count() == 8


def test_sync_encodes_in_one_batch(encoder, monkeypatch):
    calls = []
    monkeypatch.setattr(encoder, "encode", lambda texts: calls.append(texts) or text_batch(texts))
    vectors.sync([make_question().pk for _ in range(5)])
    assert [len(texts) for texts in calls] == [5]


def text_batch(texts):
    return vectors._encoder().inner.encode(texts)


# --- nearest ------------------------------------------------------------------------------


@pytest.fixture(params=["pgvector", "in memory"])
def where(request, monkeypatch):
    """Each search test runs on both paths: pgvector (PostgreSQL with it) and in memory."""
    if request.param == "in memory":
        monkeypatch.setattr(pgvectors, "usable", lambda: False)
    elif not pgvectors.usable():
        pytest.skip("needs PostgreSQL with pgvector")
    return request.param


@pytest.fixture
def corpus(where):
    return make_corpus()


def make_corpus():
    posts = {
        "salary": make_question(
            title="How do I negotiate a higher salary offer?",
            body="The offer is below the market rate for my role. How do I ask for more pay?",
        ),
        "rust": make_question(
            title="Is learning Rust useful for embedded systems jobs?",
            body="I write C for microcontrollers and wonder whether Rust is worth learning.",
        ),
        "story": make_experience(
            title="How I negotiated a salary offer after a layoff",
            body="After the layoff I got an offer and asked for a higher salary; it worked.",
        ),
        "manager": make_question(
            title="Should I become an engineering manager?",
            body="My team lead left and I was offered the role. I love writing code.",
        ),
    }
    vectors.sync(post.pk for post in posts.values())
    return posts


def test_nearest_ranks_by_cosine_best_first(corpus):
    found = vectors.nearest_to_text("negotiate salary offer", 4)
    assert {found[0][0], found[1][0]} == {corpus["salary"].pk, corpus["story"].pk}
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True)
    assert all(-1.0001 <= score <= 1.0001 for score in scores)


def test_nearest_honours_kinds(corpus):
    assert nearest_ids("negotiate salary offer", 1, kinds=("experience",)) == [corpus["story"].pk]
    questions = nearest_ids("negotiate salary offer", kinds=("question",))
    assert corpus["story"].pk not in questions
    assert len(questions) == 3


def test_nearest_honours_exclude_ids(corpus):
    found = nearest_ids("negotiate salary offer", exclude_ids=[corpus["salary"].pk])
    assert corpus["salary"].pk not in found
    assert found[0] == corpus["story"].pk


def test_nearest_returns_at_most_what_there_is(corpus):
    assert len(nearest_ids("anything", 50)) == 4
    assert nearest_ids("anything", 0) == []


def test_nearest_to_post_never_returns_itself(corpus):
    found = [pk for pk, _ in vectors.nearest_to_post(corpus["salary"].pk, 3)]
    assert corpus["salary"].pk not in found
    assert found[0] == corpus["story"].pk


def test_nearest_to_a_post_without_a_vector_is_empty(corpus):
    assert vectors.nearest_to_post(make_question().pk, 3) == []


def test_nearest_on_an_empty_table_is_empty(where):
    assert vectors.nearest(np.ones(384, dtype=np.float32), 5) == []


def test_nearest_to_text_finds_a_paraphrase(where, settings):
    if not (settings.EMBEDDING_MODEL_DIR / "model.onnx").exists():
        pytest.skip("the exported model is not in place")
    posts = [
        make_question(title="How can I ask my boss for a pay rise?"),
        make_question(title="Which programming language should I learn first?"),
        make_question(title="Is it worth doing a PhD before working in industry?"),
        make_experience(title="My first month working remotely from another country"),
    ]
    vectors.sync(post.pk for post in posts)
    assert nearest_ids("requesting a salary increase from my manager", 1) == [posts[0].pk]


# --- another process's view ---------------------------------------------------------------


def test_another_process_sees_updates_and_removals(alice):
    salary = make_question(author=alice, title="Negotiating a salary offer")
    data = make_question(title="Switching to data engineering")
    vectors.sync([salary.pk, data.pk])
    other = vectors.VectorIndex()
    query = text_vector("salary data engineering story")
    assert {pk for pk, _ in other.nearest(query, 10)} == {salary.pk, data.pk}

    story = make_experience(title="My salary story")
    salary.soft_delete(by=alice)
    Post.objects.filter(pk=data.pk).update(title="Switching to platform engineering")
    vectors.sync([salary.pk, story.pk, data.pk])

    assert {pk for pk, _ in other.nearest(query, 10)} == {data.pk, story.pk}
    assert np.allclose(other.vector_of(data.pk), vectors.vector_of(data.pk))
    assert other.vector_of(salary.pk) is None


def test_a_refresh_with_nothing_changed_is_one_query(corpus, django_assert_num_queries):
    query = text_vector("salary")
    index = vectors.VectorIndex()
    index.nearest(query, 3)
    with django_assert_num_queries(1):
        index.nearest(query, 3)


def test_a_quiet_index_reads_no_rows(corpus, monkeypatch):
    monkeypatch.setattr(vectors, "SAFETY_MARGIN", timedelta(0))
    index = vectors.VectorIndex()
    assert index.refresh() == 4
    assert index.refresh() == 4  # within the margin: the newest writes are read again
    assert index.refresh() == 0


def test_a_late_commit_stamped_before_the_last_write_is_still_read(corpus):
    other = vectors.VectorIndex()
    other.refresh()
    late = make_question(title="Late commit")
    newest = PostVector.objects.order_by("-updated_at").first().updated_at
    # A transaction that stamped its row before the newest one but committed after it.
    PostVector.objects.create(
        post=late,
        kind="question",
        vector=vectors._to_bytes(text_vector("late commit")),
        checksum="x",
        updated_at=newest - timedelta(seconds=2),
    )
    assert other.vector_of(late.pk) is not None


def test_once_settled_a_refresh_still_sees_new_writes(corpus, monkeypatch):
    monkeypatch.setattr(vectors, "SAFETY_MARGIN", timedelta(0))
    other = vectors.VectorIndex()
    other.refresh()
    other.refresh()  # a read with no news, begun a margin after the newest write: settled
    newer = make_question(title="Written after the index settled")
    vectors.sync([newer.pk])
    assert other.vector_of(newer.pk) is not None
    other.refresh()
    assert other.refresh() == 0


def test_many_removals_compact_the_matrix():
    rng = np.random.default_rng(1)
    stamp = timezone.now()
    rows = [
        PostVector(
            post_id=pk,
            kind="question",
            vector=vectors._to_bytes(rng.standard_normal(384)),
            checksum="c",
            updated_at=stamp,
        )
        for pk in range(1, 1201)  # no foreign key: rows without posts are fine here
    ]
    PostVector.objects.bulk_create(rows)
    index = vectors.VectorIndex()
    assert len(index.nearest(np.ones(384), 2000)) == 1200
    later = stamp + timedelta(seconds=1)
    PostVector.objects.filter(pk__gt=50).update(vector=None, checksum="", updated_at=later)
    found = index.nearest(np.ones(384), 2000)
    assert sorted(pk for pk, _ in found) == list(range(1, 51))
    assert len(index) == 50
    assert index._size == 50  # the dead rows are gone from the matrix
    assert np.allclose(index.vector_of(7), np.frombuffer(rows[6].vector, dtype="<f4"))


# --- rebuild and drift --------------------------------------------------------------------


def test_rebuild_embeds_every_visible_question_and_experience_post(encoder):
    question = make_question()
    experience = make_experience()
    make_answer(question)
    deleted = make_question(is_deleted=True)
    progress = []
    assert vectors.rebuild(progress.append) == 2
    assert sum(progress) == 2
    assert set(PostVector.objects.values_list("pk", flat=True)) == {question.pk, experience.pk}
    assert stored(deleted) is None


def test_a_second_rebuild_encodes_nothing(encoder):
    for _ in range(3):
        make_question()
    vectors.rebuild()
    stamps = dict(PostVector.objects.values_list("pk", "updated_at"))
    assert len(encoder.texts) == 3
    assert vectors.rebuild() == 3
    assert len(encoder.texts) == 3
    assert dict(PostVector.objects.values_list("pk", "updated_at")) == stamps


def test_rebuild_across_chunks_fixes_stale_missing_and_gone_rows(encoder, monkeypatch):
    monkeypatch.setattr(vectors, "CHUNK", 2)
    posts = [make_question(title=f"Question number {n}") for n in range(5)]
    vectors.sync(post.pk for post in posts)
    Post.objects.filter(pk=posts[1].pk).update(title="A new title")
    Post.objects.filter(pk=posts[2].pk).update(is_deleted=True)
    PostVector.objects.filter(pk=posts[3].pk).delete()
    gone_id = posts[4].pk
    posts[4].delete()
    orphan = PostVector.objects.create(post_id=gone_id + 100, kind="question", vector=b"\0" * 1536,
                                       checksum="c", updated_at=timezone.now())  # fmt: skip
    encoder.texts.clear()
    assert vectors.rebuild() == 3
    assert len(encoder.texts) == 2  # the edited and the missing post
    assert vectors.drift() == {"missing": [], "stale": [], "extra": []}
    tombstones = set(PostVector.objects.filter(vector=None).values_list("pk", flat=True))
    assert tombstones == {posts[2].pk, gone_id, orphan.pk}


def test_drift_finds_missing_stale_and_extra_vectors(monkeypatch):
    monkeypatch.setattr(vectors, "CHUNK", 2)
    fine = make_question()
    stale = make_question()
    deleted = make_question()
    answered = make_question()
    vectors.sync([fine.pk, stale.pk, deleted.pk, answered.pk])
    missing = make_experience()
    Post.objects.filter(pk=stale.pk).update(title="Changed behind the vectors' back")
    Post.objects.filter(pk=deleted.pk).update(is_deleted=True)
    assert vectors.drift() == {"missing": [missing.pk], "stale": [stale.pk], "extra": [deleted.pk]}


def test_drift_is_empty_when_in_step():
    make_question()
    make_experience()
    vectors.rebuild()
    assert vectors.drift() == {"missing": [], "stale": [], "extra": []}


def test_a_new_model_makes_every_vector_stale(monkeypatch):
    post = make_question()
    vectors.rebuild()
    other_model = CountingEncoder(vectors._encoder())
    monkeypatch.setattr(CountingEncoder, "model_id", property(lambda self: "another-model"))
    monkeypatch.setattr(vectors, "_encoder", lambda threads=None: other_model)
    assert vectors.outdated()
    assert vectors.drift()["stale"] == [post.pk]
    vectors.rebuild()
    assert other_model.texts
    assert not vectors.outdated()


def test_outdated_sees_missing_and_extra_vectors():
    post = make_question()
    assert vectors.outdated()
    vectors.rebuild()
    assert not vectors.outdated()
    Post.objects.filter(pk=post.pk).update(is_deleted=True)
    assert vectors.outdated()


def test_use_index_searches_the_given_index_wherever_the_vectors_are(where):
    index = vectors.VectorIndex.of([7], ["question"], np.ones((1, 384)))
    with vectors.use_index(index):
        assert [pk for pk, _ in vectors.nearest(np.ones(384), 3)] == [7]
    assert vectors.nearest(np.ones(384), 3) == []


# --- pgvector -----------------------------------------------------------------------------


@pytest.fixture
def pgvector():
    if not pgvectors.usable():
        pytest.skip("needs PostgreSQL with pgvector")


def embedding_of(post_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT embedding::text FROM kb_postvector WHERE post_id = %s", [post_id])
        text = cursor.fetchone()[0]
    return None if text is None else np.array(json.loads(text), dtype=np.float32)


def test_the_embedding_column_follows_the_stored_vector_exactly(pgvector, alice):
    post = make_question(author=alice, title="Negotiating a salary offer")
    vectors.sync([post.pk])
    assert np.array_equal(embedding_of(post.pk), vectors.vector_of(post.pk))
    post.edit(alice, title="Moving into product management", body=post.body)
    vectors.sync([post.pk])
    assert np.array_equal(embedding_of(post.pk), vectors.vector_of(post.pk))
    post.soft_delete(by=alice)
    vectors.sync([post.pk])
    assert embedding_of(post.pk) is None


def test_pgvector_finds_what_memory_finds_and_keeps_nothing_in_memory(pgvector):
    make_corpus()
    query = text_vector("negotiate a salary offer")
    in_database = vectors.nearest(query, 4)
    in_memory = vectors.VectorIndex().nearest(query, 4)
    assert [pk for pk, _ in in_database] == [pk for pk, _ in in_memory]
    assert np.allclose([s for _, s in in_database], [s for _, s in in_memory], atol=1e-5)
    assert len(vectors.get_index()) == 0


def test_the_hnsw_index_fills_k_through_the_filters(pgvector):
    rng = np.random.default_rng(3)
    matrix = rng.standard_normal((400, 384)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    kinds = ["experience" if pk % 20 == 0 else "question" for pk in range(1, 401)]
    stamp = timezone.now()
    PostVector.objects.bulk_create(
        PostVector(post_id=pk, kind=kind, vector=vectors._to_bytes(row), checksum="c",
                   updated_at=stamp)
        for pk, kind, row in zip(range(1, 401), kinds, matrix, strict=True)
    )  # fmt: skip
    query = rng.standard_normal(384).astype(np.float32)
    scores = matrix @ (query / np.linalg.norm(query))
    ranked = [int(pk) for pk in np.argsort(-scores) + 1 if kinds[pk - 1] == "experience"]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a table this small is read whole
        cursor.execute(  # the query kb_nearest_posts() runs
            "EXPLAIN SELECT post_id FROM kb_postvector WHERE embedding IS NOT NULL"
            " AND kind = ANY(%s) AND post_id <> ALL(%s) ORDER BY embedding <=> %s::vector LIMIT 10",
            [["experience"], ranked[:1], pgvectors._literal(query)],
        )
        assert "kb_postvector_embedding_hnsw" in str(cursor.fetchall())
    found = vectors.nearest(query, 10, kinds=["experience"], exclude_ids=ranked[:1])
    assert [pk for pk, _ in found] == ranked[1:11]


def test_without_the_extension_the_migration_adds_nothing(pgvector, monkeypatch):
    monkeypatch.setattr(pgvectors, "_usable", {})  # this test's answers stay in it
    migration = importlib.import_module("kb.migrations.0007_post_vector_pgvector")
    post = make_question(title="Negotiating a salary offer")
    vectors.sync([post.pk])
    with connection.cursor() as cursor:
        cursor.execute("DROP EXTENSION vector CASCADE")  # undone with the test's transaction
        cursor.execute(f"CREATE ROLE kb_test_no_pgvector_{os.getpid()}")
        cursor.execute(f"SET LOCAL ROLE kb_test_no_pgvector_{os.getpid()}")  # may not create it
    with connection.schema_editor() as editor:
        migration.add_embedding(None, editor)
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
    assert not pgvectors.usable()
    assert nearest_ids("salary") == [post.pk]
    assert len(vectors.get_index()) == 1

    with connection.schema_editor() as editor:
        migration.add_embedding(None, editor)  # now it can: the column is filled as it is added
    assert pgvectors.usable()
    assert np.array_equal(embedding_of(post.pk), vectors.vector_of(post.pk))
    assert nearest_ids("salary", exclude_ids=[0]) == [post.pk]


# --- switched off -------------------------------------------------------------------------


def test_everything_is_a_no_op_when_semantic_search_is_off(settings, django_assert_num_queries):
    settings.SEMANTIC_SEARCH = False
    post = make_question()
    with django_assert_num_queries(0):
        vectors.sync([post.pk])
        assert vectors.rebuild() == 0
        assert vectors.drift() == {"missing": [], "stale": [], "extra": []}
        assert vectors.nearest(np.ones(384), 5) == []
        assert vectors.nearest_to_text("anything", 5) == []
        assert vectors.nearest_to_post(post.pk, 5) == []
        assert vectors.vector_of(post.pk) is None
        assert not vectors.outdated()
