"""Whoosh-specific behaviour behind the contract: writes stay small, merges run aside."""

from kb.search.documents import SearchDocument
from kb.search.query import parse
from kb.search.whoosh_backend import MERGE_AT_SEGMENTS, WhooshBackend


def document(post_id: int, title: str) -> SearchDocument:
    return SearchDocument(
        id=post_id, kind="question", title=title, body="Body text.", url=f"/q/{post_id}/"
    )


def segment_count(backend: WhooshBackend) -> int:
    return len(backend._ix()._segments())


def test_small_segments_are_merged_in_the_background(tmp_path):
    backend = WhooshBackend(tmp_path / "whoosh")
    backend.rebuild([document(1, "First salary question")])
    for post_id in range(2, MERGE_AT_SEGMENTS + 3):
        backend.index_documents([document(post_id, f"Salary question number {post_id}")])
    assert backend._merging.acquire(timeout=30)  # the merge a write started has finished
    backend._merging.release()
    assert segment_count(backend) < MERGE_AT_SEGMENTS
    assert backend.search(parse("salary"), 0, 100, "relevance").total == MERGE_AT_SEGMENTS + 2


def test_updates_and_removals_replace_the_old_document_in_every_segment(tmp_path):
    backend = WhooshBackend(tmp_path / "whoosh")
    backend.rebuild([document(1, "Negotiating a raise"), document(2, "Leaving a startup")])
    backend.index_documents([document(1, "Negotiating equity")])  # old copy in segment 1
    backend.index_documents([document(1, "Negotiating a bonus")])  # old copy in segment 2
    assert backend.search(parse("negotiating"), 0, 10, "relevance").total == 1
    assert backend.search(parse("equity"), 0, 10, "relevance").total == 0
    assert backend.get_documents([1])[1].title == "Negotiating a bonus"
    backend.remove_ids([1, 2])
    assert backend.search(parse("negotiating"), 0, 10, "relevance").total == 0
    assert backend.search(parse("startup"), 0, 10, "relevance").total == 0
