"""kb/search/whoosh_fast.py reads Whoosh internals: this fails clearly if any disappears.

whoosh-reloaded is pinned below its next minor (pyproject.toml, requirements.lock); when
the pin is raised, this test says which private name the new version dropped or renamed.
"""

import importlib

import pytest
from whoosh import columns, fields, index

from kb.search import whoosh_fast

UPGRADE_HINT = (
    "kb/search/whoosh_fast.py relies on the private Whoosh name {name!r}, which this "
    "whoosh-reloaded version no longer has: keep the pin (pyproject.toml, "
    "requirements.lock) or update whoosh_fast.py to the new internals."
)

MODULE_NAMES = [
    ("whoosh.codec.whoosh3", "LENGTHS_COLUMN"),
    ("whoosh.codec.whoosh3", "W3Codec"),
    ("whoosh.codec.whoosh3", "W3FieldWriter"),
    ("whoosh.reading", "TermNotFound"),
    ("whoosh.util.numeric", "byte_to_length"),
]


def _require(obj, *names):
    for name in names:
        if not hasattr(obj, name):
            pytest.fail(UPGRADE_HINT.format(name=f"{type(obj).__name__}.{name}"))


@pytest.mark.parametrize(("module", "name"), MODULE_NAMES)
def test_the_whoosh_module_names_exist(module, name):
    if not hasattr(importlib.import_module(module), name):
        pytest.fail(UPGRADE_HINT.format(name=f"{module}.{name}"))


@pytest.fixture
def reader(tmp_path):
    """A segment written with whoosh_fast's codec: a term in 3 documents, a number column."""
    schema = fields.Schema(text=fields.TEXT(), score=fields.COLUMN(columns.NumericColumn("i")))
    ix = index.create_in(str(tmp_path), schema)
    writer = ix.writer(codec=whoosh_fast.codec())
    for number, text in enumerate(["salary offer", "salary talk", "salary raise now"]):
        writer.add_document(text=text, score=number + 1)
    writer.commit()
    with ix.searcher() as searcher:
        (leaf, _), *_ = searcher.leaf_searchers()
        yield leaf.reader()


def test_the_segment_reader_internals_exist(reader):
    _require(reader, "_segment", "_text_to_bytes", "_terms", "_perdoc")
    _require(reader._segment, "segment_id")
    _require(reader._perdoc, "_cached_reader", "doc_count_all")


def test_the_posting_block_internals_exist(reader):
    matcher = reader._terms.matcher(
        "text", reader._text_to_bytes("text", "salary"), reader.schema["text"].format
    )
    _require(matcher, "_data", "_read_data", "_next_block", "is_active")


def test_the_column_internals_exist(reader):
    column = reader.column_reader("score", translate=False)
    _require(column, "_count", "_dbfile", "_basepos", "_fixedlen", "_typecode", "_default")


def test_whoosh_fast_reads_postings_lengths_and_columns(reader):
    ids, weights = whoosh_fast._postings(reader, "text", "salary")
    assert list(ids) == [0, 1, 2]
    assert list(weights) == [1.0, 1.0, 1.0]
    assert whoosh_fast._numbers(reader.column_reader("score", translate=False), 3) == [1, 2, 3]
    assert list(whoosh_fast._lengths(reader)) == [2.0, 2.0, 3.0]
