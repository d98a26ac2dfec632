"""eval_search on a sample of the Stack Exchange duplicates (tests/data/se-duplicates).

A benchmark: these tests check what it prints, never its scores or timings.
"""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kb import search
from kb.models import Post
from tests.factories import make_question

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent.parent / "data" / "se-duplicates"


def run(tmp_path, capsys, *options):
    call_command(
        "eval_search", "--data", str(DATA), "--cache-dir", str(tmp_path / "cache"), *options
    )
    return capsys.readouterr().out


def test_prints_a_row_per_engine_mode_and_query_form(tmp_path, capsys):
    out = run(tmp_path, capsys, "--engines", "whoosh,tantivy")
    assert "Corpus: 20 questions; 5 duplicate pairs" in out
    assert "recall@1" in out
    assert "recall@10" in out
    assert "MRR" in out
    assert "p50 ms" in out
    lines = [line.split() for line in out.splitlines()]
    for form in ("title", "title+body"):
        assert ["-", "semantic", form] in [line[:3] for line in lines]
        for engine in ("whoosh", "tantivy"):
            for mode in ("lexical", "hybrid", "site"):
                assert [engine, mode, form] in [line[:3] for line in lines]


def test_vectors_are_cached(tmp_path, capsys):
    assert "cached in" in run(tmp_path, capsys, "--engines", "whoosh", "--limit", "2")
    assert list((tmp_path / "cache").glob("eval-search-*.npy"))
    assert "read from the cache" in run(tmp_path, capsys, "--engines", "whoosh", "--limit", "2")


def test_tune_reports_the_test_half(tmp_path, capsys):
    out = run(tmp_path, capsys, "--engines", "whoosh", "--tune")
    assert "3 dev and 2 test pairs" in out
    assert "Best on dev" in out
    assert "Score fusion" in out
    assert "Test half (2 pairs)" in out
    lines = [line.split()[:4] for line in out.splitlines()]
    assert ["whoosh", "hybrid", "tuned", "title"] in lines
    assert ["whoosh", "site", "tuned", "title+body"] in lines


def test_does_not_touch_the_site_index_or_posts(settings, tmp_path, capsys):
    settings.SEARCH_BACKEND = "whoosh"
    make_question(title="Real post")
    run(tmp_path, capsys, "--engines", "whoosh", "--limit", "1")
    assert not search.get_backend("whoosh").exists()
    assert Post.objects.count() == 1


def test_rejects_unknown_engines_and_missing_data(tmp_path):
    with pytest.raises(CommandError):
        call_command("eval_search", "--data", str(DATA), "--engines", "lucene")
    with pytest.raises(CommandError, match=r"no corpus\.jsonl"):
        call_command("eval_search", "--data", str(tmp_path))
