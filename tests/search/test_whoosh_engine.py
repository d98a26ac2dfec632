"""Whoosh-specific behaviour behind the contract: writes stay small, merges run aside."""

from kb.search.documents import SearchDocument
from kb.search.query import parse
from kb.search.whoosh_backend import MERGE_FACTOR, WhooshBackend


def document(post_id: int, title: str) -> SearchDocument:
    return SearchDocument(
        id=post_id, kind="question", title=title, body="Body text.", url=f"/q/{post_id}/"
    )


def segment_count(backend: WhooshBackend) -> int:
    return len(backend._ix()._segments())


def test_small_segments_are_merged_in_the_background(tmp_path):
    backend = WhooshBackend(tmp_path / "whoosh")
    big = [document(post_id, f"Big segment question {post_id}") for post_id in range(1, 21)]
    backend.rebuild(big)
    segments_after_rebuild = segment_count(backend)
    for post_id in range(21, 21 + MERGE_FACTOR + 2):
        backend.index_documents([document(post_id, f"Salary question number {post_id}")])
    backend.wait_for_merge()  # the merge a write started in the background
    # The one-post segments became one (plus any written after the merge began); the
    # rebuild's segments were left alone.
    assert segment_count(backend) <= segments_after_rebuild + 3
    assert (
        backend.search(parse("salary", resolve_tags=False), 0, 100, "relevance").total
        == MERGE_FACTOR + 2
    )
    assert backend.search(parse("big", resolve_tags=False), 0, 100, "relevance").total == 20


def test_updates_and_removals_replace_the_old_document_in_every_segment(tmp_path):
    backend = WhooshBackend(tmp_path / "whoosh")
    backend.rebuild([document(1, "Negotiating a raise"), document(2, "Leaving a startup")])
    backend.index_documents([document(1, "Negotiating equity")])  # old copy in segment 1
    backend.index_documents([document(1, "Negotiating a bonus")])  # old copy in segment 2
    assert backend.search(parse("negotiating", resolve_tags=False), 0, 10, "relevance").total == 1
    assert backend.search(parse("equity", resolve_tags=False), 0, 10, "relevance").total == 0
    assert backend.get_documents([1])[1].title == "Negotiating a bonus"
    backend.remove_ids([1, 2])
    assert backend.search(parse("negotiating", resolve_tags=False), 0, 10, "relevance").total == 0
    assert backend.search(parse("startup", resolve_tags=False), 0, 10, "relevance").total == 0


def test_indexed_weights_and_lengths_count_every_stem(tmp_path):
    from whoosh.util.numeric import byte_to_length, length_to_byte

    backend = WhooshBackend(tmp_path / "whoosh")
    backend.rebuild([document(1, "Salary talks")])  # body: "Body text."
    backend.index_documents([document(2, "Salary salary negotiation")])  # a second segment
    ix = backend._fast()
    # Title stems count three times: document 1 holds salary x3, talk x3, body, text.
    _, weights = ix._postings("text", "salari")
    assert sorted(weights.tolist()) == [3.0, 6.0]
    lengths = sorted(ix.lengths.tolist())
    assert lengths == [byte_to_length(length_to_byte(n)) for n in (8, 11)]


def test_common_terms_are_decoded_once_and_edits_still_show(tmp_path, monkeypatch):
    from kb.search import whoosh_fast

    monkeypatch.setattr(whoosh_fast, "POSTINGS_CACHE_MIN", 2)
    monkeypatch.setattr(whoosh_fast, "_postings_cache", whoosh_fast._PostingsCache(2**20))
    decoded = []
    real = whoosh_fast._postings
    monkeypatch.setattr(
        whoosh_fast, "_postings", lambda *args: decoded.append(args[1:]) or real(*args)
    )
    backend = WhooshBackend(tmp_path / "whoosh")
    backend.rebuild([document(n, f"Salary question {n}") for n in range(1, 6)])

    def salary():
        return backend.search(parse("salary", resolve_tags=False), 0, 10, "relevance")

    assert salary().total == 5
    first = len(decoded)
    assert salary().total == 5
    assert len(decoded) == first  # the long list came from the cache
    backend.remove_ids([3])
    backend.index_documents([document(6, "Salary question six")])
    assert sorted(d.id for d in salary().documents) == [1, 2, 4, 5, 6]


def test_the_postings_cache_keeps_to_its_budget():
    import numpy as np

    from kb.search.whoosh_fast import _PostingsCache

    cache = _PostingsCache(budget=1000)
    postings = (np.zeros(50, dtype=np.int64), np.zeros(50, dtype=np.float32))  # 600 bytes
    cache._put(("a", "text", "x"), postings)
    cache._put(("a", "text", "y"), postings)
    assert list(cache._entries) == [("a", "text", "y")]
    assert cache._bytes == 600


def test_a_table_of_contents_replaced_while_opening_is_read_again():
    from pathlib import Path

    import pytest

    from kb.search.whoosh_backend import _toc_race_retried

    failures = [FileNotFoundError("_MAIN_14.toc")] * 2

    def read():
        if failures:
            raise failures.pop()
        return "opened"

    assert _toc_race_retried(read) == "opened"
    with pytest.raises(FileNotFoundError):
        _toc_race_retried(Path("/nonexistent/_MAIN_1.toc").read_bytes)
