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
