"""The contract every engine keeps: the same tests run against whoosh, tantivy and postgres."""

import pytest
from django.db.models import F

from kb import search
from kb.models import Post
from kb.search.query import parse
from tests.factories import make_answer, make_experience, make_question, make_user
from tests.search.conftest import ids

pytestmark = pytest.mark.django_db


def find(raw, **kwargs):
    return search.search(parse(raw), **kwargs)


def test_words_are_stemmed_and_posts_with_all_of_them_come_first(engine, indexed):
    with indexed():
        both = make_question(title="Negotiating a salary offer", body="Tips for the talk.")
        one = make_question(title="Salary bands explained", body="Levels and ranges.")
    assert ids(find("salaries negotiation")) == [both.pk, one.pk]
    assert find("salaries negotiation").total == 2
    assert set(ids(find("salary"))) == {both.pk, one.pk}


def test_title_match_ranks_above_body_match(engine, indexed):
    with indexed():
        in_body = make_question(
            title="Moving on after five years",
            body="I wonder whether a portfolio matters when changing teams internally.",
        )
        in_title = make_question(
            title="Does a portfolio matter?", body="I wonder about changing teams internally."
        )
    assert ids(find("portfolio")) == [in_title.pk, in_body.pk]


def test_phrase_matches_only_adjacent_words(engine, indexed):
    with indexed():
        adjacent = make_question(title="Switching jobs", body="I love machine learning work.")
        scattered = make_question(
            title="Switching careers", body="The learning curve of a machine shop is steep."
        )
    assert ids(find('"machine learning"')) == [adjacent.pk]
    assert set(ids(find("machine learning"))) == {adjacent.pk, scattered.pk}


def test_phrases_match_inflections_stop_words_and_titles(engine, indexed):
    with indexed():
        in_body = make_question(
            title="Moving to Munich", body="Is the cost of living there worth the salary?"
        )
        inflected = make_question(title="Relocating abroad", body="Costs of living in Lisbon.")
        in_title = make_question(title="Cost of living in Berlin", body="Rent and food.")
        reversed_ = make_question(title="Living abroad", body="The living cost of Oslo.")
    found = set(ids(find('"cost of living"')))
    assert {in_body.pk, inflected.pk, in_title.pk} <= found
    assert reversed_.pk not in found


def test_phrase_beats_scattered_words(engine, indexed):
    with indexed():
        scattered = make_question(
            title="Career notes",
            body="The learning part was hard, the machine part was easy, honestly speaking.",
        )
        adjacent = make_question(
            title="Career notes",
            body="The machine learning part was hard, the other part was easy, honestly speaking.",
        )
    assert ids(find("machine learning")) == [adjacent.pk, scattered.pk]


def test_excluded_words_phrases_and_tags(engine, indexed):
    with indexed():
        java = make_question(
            title="Backend jobs in Java", body="Spring and cover letters.", tags=["java"]
        )
        python = make_question(title="Backend jobs in Python", body="Django.", tags=["python"])
    assert ids(find("backend -java")) == [python.pk]
    assert ids(find('backend -"cover letters"')) == [python.pk]
    assert ids(find("backend -[python]")) == [java.pk]


def test_tag_filter_both_spellings(engine, indexed):
    with indexed():
        tagged = make_question(title="Interview prep plan", tags=["interviews"])
        make_question(title="Interview prep for managers", tags=["management"])
    assert ids(find("interview [interviews]")) == [tagged.pk]
    assert ids(find("tag:interviews")) == [tagged.pk]


def test_tag_synonym_filter(engine, indexed):
    from kb.models import TagSynonym
    from kb.tags import get_or_create_tags

    (target,) = get_or_create_tags(["big-tech"])
    TagSynonym.objects.create(source="faang", target=target)
    with indexed():
        post = make_question(title="Offers at large companies", tags=["big-tech"])
    assert ids(find("[faang]")) == [post.pk]


def test_kind_filters(engine, indexed):
    with indexed():
        question = make_question(title="Remote work as a junior", body="Is remote fine?")
        answer = make_answer(question, body="Remote work is fine with a good mentor.")
        post = make_experience(title="My remote year", body="Remote work diary.")
    assert ids(find("remote is:question")) == [question.pk]
    assert ids(find("remote is:answer")) == [answer.pk]
    assert ids(find("remote is:post")) == [post.pk]


def test_user_score_answers_and_accepted_filters(engine, indexed):
    alice = make_user("alice")
    with indexed():
        popular = make_question(author=alice, title="Portfolio review", score=7)
        unanswered = make_question(title="Portfolio tips", score=1)
        answered = make_question(title="Portfolio hosting", score=2)
        answer = make_answer(answered, body="Use a static site.")
        Post.objects.filter(pk=answered.pk).update(accepted_answer=answer)
        search.schedule_reindex(answered.pk, answer.pk)
    assert ids(find("portfolio user:alice")) == [popular.pk]
    assert ids(find("portfolio score:5")) == [popular.pk]
    assert set(ids(find("portfolio answers:0"))) == {popular.pk, unanswered.pk}
    assert ids(find("portfolio answers:1")) == [answered.pk]
    # The question and its accepted answer are one thread: one result.
    assert ids(find("accepted:yes")) == [answered.pk]
    assert ids(find("accepted:yes is:answer")) == [answer.pk]
    assert answered.pk not in ids(find("portfolio accepted:no"))


def test_answers_carry_their_question_title_tags_and_link(engine, indexed):
    with indexed():
        question = make_question(title="Leaving academia for industry", tags=["academia"])
        answer = make_answer(question, body="Talk to people who left before you.")
    hit = find("people left is:answer").hits[0]
    assert hit.id == answer.pk
    assert hit.title == question.title
    assert hit.url.endswith(f"#answer-{answer.pk}")
    assert hit.parent_id == question.pk
    assert hit.tags == ["academia"]
    assert ids(find("[academia]")) == [question.pk]
    assert find("[academia]").hits[0].matching_answers == 1


def test_snippets_escape_user_text_and_add_only_mark(engine, indexed):
    with indexed():
        make_question(
            title="<script>alert('x')</script> salary",
            body="Ask about <img src=x onerror=alert(1)> the salary & bonus.",
        )
    hit = find("salary").hits[0]
    html = hit.snippet + hit.title_html
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in hit.snippet
    assert "<mark>salary</mark>" in hit.snippet
    assert html.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_facets_count_tags_of_the_results(engine, indexed):
    with indexed():
        make_question(title="Visa sponsorship in Germany", tags=["visa", "germany"])
        make_question(title="Visa sponsorship in Canada", tags=["visa", "canada"])
        make_question(title="Relocating to Germany", tags=["germany"])
    page = find("visa")
    assert dict(page.facets) == {"visa": 2, "germany": 1, "canada": 1}
    assert dict(find("visa [visa]").facets) == {"germany": 1, "canada": 1}


def test_deleted_posts_never_appear(engine, indexed):
    with indexed():
        kept = make_question(title="Freelancing taxes")
        gone = make_question(title="Freelancing rates")
        answer = make_answer(gone, body="Freelancing rates depend on the client.")
    with indexed():
        Post.objects.filter(pk=gone.pk).update(is_deleted=True)
        search.schedule_reindex(gone.pk, answer.pk)
    assert ids(find("freelancing")) == [kept.pk]


def test_hard_deleted_posts_leave_the_index(engine, indexed):
    with indexed():
        post = make_question(title="Negotiating equity")
    with indexed():
        post.delete()
    assert find("equity").total == 0


def test_edits_are_reflected(engine, indexed):
    with indexed():
        post = make_question(title="Old title about bootcamps")
    with indexed():
        post.edit(post.author, title="New title about apprenticeships", body=post.body)
    assert find("bootcamps").total == 0
    assert ids(find("apprenticeships")) == [post.pk]


def test_answers_follow_their_question_title(engine, indexed):
    with indexed():
        question = make_question(title="Old wording")
        make_answer(question, body="Some advice.")
    with indexed():
        question.edit(question.author, title="Fresh wording", body=question.body)
    assert find("advice is:answer").hits[0].title == "Fresh wording"
    assert question.pk in ids(find("advice"))  # its thread, found through the answer


def test_votes_are_reflected_and_sort_by_votes(engine, indexed):
    with indexed():
        low = make_question(title="Mentors and sponsors")
        high = make_question(title="Finding mentors")
    with indexed():
        # A vote changes the score with F(), which sends no signal.
        Post.objects.filter(pk=low.pk).update(score=F("score") + 3)
        search.schedule_reindex(low.pk)
    page = find("mentors score:1")
    assert ids(page) == [low.pk]
    assert page.hits[0].score == 3
    assert ids(find("mentors", sort="votes")) == [low.pk, high.pk]


def test_sort_newest(engine, indexed):
    from datetime import timedelta

    from django.utils import timezone

    with indexed():
        old = make_question(title="Side projects", created_at=timezone.now() - timedelta(days=9))
        new = make_question(title="Side projects that help")
    assert ids(find("side projects", sort="newest")) == [new.pk, old.pk]


def test_pagination(engine, indexed):
    with indexed():
        posts = [make_question(title=f"Resume review number {i}") for i in range(13)]
    first, second = find("resume"), find("resume", page=2)
    assert first.total == 13
    assert len(first.hits) == 10
    assert len(second.hits) == 3
    assert set(ids(first)) | set(ids(second)) == {p.pk for p in posts}
    assert second.has_previous()
    assert not second.has_next()


def test_did_you_mean(engine, indexed):
    with indexed():
        make_question(title="Negotiation tactics for engineers")
    page = find("negotiaton")
    assert page.total == 0
    assert page.suggestion == "negotiation"


def test_more_like_this_excludes_itself_and_deleted(engine, indexed):
    with indexed():
        post = make_question(title="Data engineering interview questions", body="SQL and Spark.")
        similar = make_question(title="Data engineering interview loop", body="Spark rounds.")
        deleted = make_question(title="Data engineering interview prep", body="SQL.")
        make_question(title="Kindergarten teaching", body="Children.")
    with indexed():
        Post.objects.filter(pk=deleted.pk).update(is_deleted=True)
        search.schedule_reindex(deleted.pk)
    related = search.more_like_this(post, 5)
    assert [d.id for d in related] == [similar.pk]


def test_similar_titles(engine, indexed):
    with indexed():
        post = make_question(title="How to negotiate a raise")
    assert [d.id for d in search.similar_to_title("negotiate raise")] == [post.pk]


@pytest.mark.parametrize(
    "raw",
    [
        '"',
        "-",
        "[",
        "tag:",
        "is:x",
        "'; DROP TABLE x; --",
        "a" * 2000,
        "\x00",
        "😀",
        "title:(a OR b)~2^3",
        "NOT",
        "*",
    ],
)
def test_bad_queries_give_results_or_a_message(engine, indexed, raw):
    with indexed():
        make_question(title="Anything at all")
    page = find(raw)
    assert page.total >= 0
    assert page.hits == [] or page.hits


def test_an_index_failure_keeps_the_post_and_is_logged(engine, monkeypatch, caplog, indexed):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(type(engine), "index_documents", broken)
    with indexed():
        post = make_question(title="Saved despite the index")
    assert Post.objects.filter(pk=post.pk).exists()
    assert "Search index update failed" in caplog.text
