"""rebuild_index, check_index and bench_search."""

from types import SimpleNamespace

import pytest
from django.core.management import call_command

from kb import search
from kb.models import Post, PostVector
from kb.search import vectors
from kb.search.query import parse
from tests.factories import make_answer, make_experience, make_question

pytestmark = pytest.mark.django_db


def test_rebuild_index_restores_a_lost_index(engine, capsys):
    post = make_question(title="Rebuilt from the database")  # never indexed: no commit ran
    assert search.search(parse("rebuilt")).total == 0
    call_command("rebuild_index")
    assert [hit.id for hit in search.search(parse("rebuilt")).hits] == [post.pk]
    assert "Indexed 1 posts" in capsys.readouterr().out


def test_rebuild_index_skips_deleted_posts(engine):
    make_question(title="Gone for good", is_deleted=True)
    call_command("rebuild_index", verbosity=0)
    assert search.search(parse("gone")).total == 0


def test_if_missing_builds_only_once(settings, capsys):
    settings.SEARCH_BACKEND = "whoosh"
    make_question(title="First build")
    call_command("rebuild_index", "--if-missing")
    assert "Indexed 1" in capsys.readouterr().out
    make_question(title="Second post")
    call_command("rebuild_index", "--if-missing", verbosity=2)
    assert "exists" in capsys.readouterr().out
    assert search.search(parse("second")).total == 0


def test_if_missing_replaces_a_tantivy_index_of_an_older_layout(settings, capsys):
    import tantivy

    settings.SEARCH_BACKEND = "tantivy"
    path = settings.INDEX_DIR / "tantivy"
    path.mkdir(parents=True)
    old_schema = tantivy.SchemaBuilder()
    old_schema.add_integer_field("id", stored=True, indexed=True)
    tantivy.Index(old_schema.build(), path=str(path))  # an index an older release wrote
    make_question(title="Found after the upgrade")
    assert search.get_backend().is_outdated()
    call_command("rebuild_index", "--if-missing")
    assert "Indexed 1" in capsys.readouterr().out
    assert search.search(parse("upgrade")).total == 1


def test_if_missing_replaces_a_whoosh_index_of_an_older_layout(settings, capsys):
    from whoosh import fields, index

    settings.SEARCH_BACKEND = "whoosh"
    path = settings.INDEX_DIR / "whoosh"
    path.mkdir(parents=True)
    old_schema = fields.Schema(id=fields.ID(stored=True, unique=True), text=fields.TEXT)
    index.create_in(str(path), old_schema)  # an index an older release wrote
    make_question(title="Found after the upgrade")
    assert search.get_backend().is_outdated()
    call_command("rebuild_index", "--if-missing")
    assert "Indexed 1" in capsys.readouterr().out
    assert not search.get_backend().is_outdated()
    assert search.search(parse("upgrade")).total == 1


def test_rebuild_index_backend_option(settings):
    settings.SEARCH_BACKEND = "whoosh"
    make_question(title="Tantivy only")
    call_command("rebuild_index", "--backend", "tantivy", verbosity=0)
    assert search.get_backend("tantivy").exists()
    assert not search.get_backend("whoosh").exists()


def test_check_index_passes_when_in_step(engine, indexed, capsys):
    with indexed():
        make_question(title="In step")
    vectors.rebuild()
    call_command("check_index")
    assert "matches the database" in capsys.readouterr().out


def test_check_index_reports_missing_stale_and_deleted(engine, indexed, capsys):
    with indexed():
        stale = make_question(title="Will be stale")
        deleted = make_question(title="Will be deleted")
    missing = make_question(title="Never indexed")
    Post.objects.filter(pk=stale.pk).update(score=5)
    Post.objects.filter(pk=deleted.pk).update(is_deleted=True)
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_index")
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert f"1 missing: {missing.pk}" in out
    assert f"1 stale: {stale.pk}" in out
    assert f"1 deleted or gone: {deleted.pk}" in out


@pytest.fixture
def semantic(settings):
    settings.SEARCH_BACKEND = "whoosh"
    settings.SEMANTIC_SEARCH = True
    vectors.reset()
    yield
    vectors.reset()


def test_rebuild_index_embeds_questions_and_experience_posts(semantic, capsys):
    question = make_question(title="Embedded by the rebuild")
    experience = make_experience()
    make_answer(question)
    call_command("rebuild_index")
    assert set(PostVector.objects.values_list("pk", flat=True)) == {question.pk, experience.pk}
    assert "Vectors for 2 posts" in capsys.readouterr().out
    assert vectors.nearest_to_text("embedded by the rebuild", 1)[0][0] == question.pk


def test_rebuild_index_keeps_unchanged_vectors(semantic, monkeypatch):
    make_question()
    call_command("rebuild_index", verbosity=0)
    stamps = dict(PostVector.objects.values_list("pk", "updated_at"))
    real, encoded = vectors._encoder(), []
    spy = SimpleNamespace(model_id=real.model_id, encode=encoded.extend)
    monkeypatch.setattr(vectors, "_encoder", lambda threads=None: spy)
    call_command("rebuild_index", verbosity=0)
    assert encoded == []
    assert dict(PostVector.objects.values_list("pk", "updated_at")) == stamps


def test_rebuild_index_encodes_on_every_core(semantic, monkeypatch):
    make_question()
    real, asked = vectors._encoder(), []
    monkeypatch.setattr(vectors, "_encoder", lambda threads=None: asked.append(threads) or real)
    monkeypatch.setattr("os.cpu_count", lambda: 7)
    call_command("rebuild_index", verbosity=0)
    assert 7 in asked


def test_rebuild_index_makes_no_vectors_when_semantic_search_is_off(semantic, settings, capsys):
    settings.SEMANTIC_SEARCH = False
    make_question()
    call_command("rebuild_index")
    assert not PostVector.objects.exists()
    assert "Vectors" not in capsys.readouterr().out


def test_if_missing_fills_missing_vectors_beside_an_existing_index(semantic, capsys):
    make_question(title="First build")
    call_command("rebuild_index", "--if-missing")
    later = make_question(title="Never synced")
    call_command("rebuild_index", "--if-missing", verbosity=2)
    out = capsys.readouterr().out
    assert "index exists" in out
    assert "Vectors for 2 posts" in out
    assert PostVector.objects.filter(pk=later.pk).exists()
    call_command("rebuild_index", "--if-missing", verbosity=2)
    assert "vectors are up to date" in capsys.readouterr().out


def test_check_index_reports_vector_drift(semantic, indexed, capsys):
    with indexed():
        stale = make_question(title="Will be stale")
        deleted = make_question(title="Will be deleted")
        missing = make_question(title="Never embedded")
    search.rebuild_from_database()  # the index is in step: only the vectors drift
    PostVector.objects.filter(pk=missing.pk).delete()
    Post.objects.filter(pk=stale.pk).update(title="Changed behind the vectors' back")
    Post.objects.filter(pk=deleted.pk).update(is_deleted=True)
    search.reindex_now([stale.pk, deleted.pk])
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_index")
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "vectors: 2 posts to embed, 2 vectors." in out
    assert f"1 missing vectors: {missing.pk}" in out
    assert f"1 stale vectors: {stale.pk}" in out
    assert f"1 vectors of deleted or gone posts: {deleted.pk}" in out


def test_check_index_ignores_vectors_when_semantic_search_is_off(semantic, settings, capsys):
    settings.SEMANTIC_SEARCH = False
    make_question()
    search.rebuild_from_database()
    call_command("check_index")
    out = capsys.readouterr().out
    assert "vectors" not in out
    assert "matches the database" in out


def test_bench_search_on_a_tiny_corpus(capsys):
    call_command("bench_search", "--posts", "200", "--engines", "whoosh,tantivy")
    out = capsys.readouterr().out
    for row in (
        "build",
        "size",
        "1 word p95",
        "2 words p95",
        "phrase p95",
        "tag filter p95",
        "update p95",
    ):
        assert row in out
    assert "whoosh" in out
    assert "tantivy" in out


def test_bench_search_without_the_semantic_layer_never_asks_it(semantic, monkeypatch, capsys):
    asked = []
    monkeypatch.setattr(vectors, "nearest_to_text", lambda *args, **kwargs: asked.append(args))
    call_command("bench_search", "--posts", "50", "--engines", "tantivy", "--no-semantic")
    out = capsys.readouterr().out
    assert "sentence p95" in out
    assert "vectors" not in out
    assert asked == []


def test_bench_search_is_reproducible():
    from kb.management.commands.bench_search import Corpus

    first, second = Corpus(50), Corpus(50)
    assert [d.title for d in first.documents] == [d.title for d in second.documents]
    assert first.queries == second.queries
    assert all(6 <= len(d.title.split()) <= 14 for d in first.documents)
    assert all(80 <= len(d.body.split()) <= 600 for d in first.documents)
    assert all(1 <= len(d.tags) <= 5 for d in first.documents)


def test_bench_search_does_not_touch_the_site_index(settings):
    make_question(title="Real post")
    call_command("bench_search", "--posts", "50", "--engines", "whoosh", stdout=None)
    assert not search.get_backend("whoosh").exists()
    assert Post.objects.count() == 1


def test_bench_search_rejects_unknown_engines():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("bench_search", "--engines", "lucene")


def test_bench_search_fails_fast_on_an_unreachable_postgres(capsys):
    from django.core.management.base import CommandError

    bad_url = "postgres://postgres@127.0.0.1:5432/kb_no_such_database"
    with pytest.raises(CommandError, match="postgres: cannot connect"):
        call_command(
            "bench_search",
            "--posts",
            "20",
            "--engines",
            "whoosh,postgres",
            "--postgres-url",
            bad_url,
        )
    assert "Benchmarking whoosh" not in capsys.readouterr().out


def test_postgres_engine_on_sqlite_is_a_clear_error():
    from django.core.management.base import CommandError
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("this checks the SQLite message")
    with pytest.raises(CommandError, match="postgres"):
        call_command("rebuild_index", "--backend", "postgres")
