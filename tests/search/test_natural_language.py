"""Questions typed as sentences: the contract every engine keeps (whoosh, tantivy, postgres).

Stop words carry no weight, the best partial match beats an empty page, a title counts
more than a body, a word that names a tag boosts it, one thread is one result, and "did
you mean" only corrects words the index does not know.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from kb import search
from kb.models import TagSynonym
from kb.search.query import parse
from tests.factories import make_answer, make_question
from tests.search.conftest import ids

pytestmark = pytest.mark.django_db


def find(raw, **kwargs):
    return search.search(parse(raw), **kwargs)


def test_stop_and_question_words_carry_no_weight(engine, indexed):
    with indexed():
        wanted = make_question(
            title="Joining a startup after two years in consulting",
            body="The offer is good but the runway is short.",
        )
        make_question(title="Moving abroad for work", body="Visa questions and rent.")
    assert ids(find("should I join a startup?"))[:1] == [wanted.pk]
    assert ids(find("startup vs big tech")) == [wanted.pk]


def test_a_query_of_stop_words_alone_still_shows_something(engine, indexed):
    with indexed():
        make_question(title="Salary bands explained", body="Levels and ranges.")
    page = find("how do I do it?")
    assert page.hits
    assert any("common words" in message for message in page.messages)


def test_stop_words_still_count_inside_quoted_phrases(engine, indexed):
    with indexed():
        phrase = make_question(title="Worth it or not", body="Is the cost of living high there?")
        words = make_question(title="Living costs", body="The cost is fine, living is fun.")
    assert ids(find('"cost of living"')) == [phrase.pk]
    assert set(ids(find("cost of living"))) == {phrase.pk, words.pk}


def test_best_match_ranks_posts_with_all_words_first_then_most(engine, indexed):
    with indexed():
        one = make_question(title="Remote work from home", body="Two days a week.")
        all_three = make_question(
            title="Negotiating salary for a remote offer", body="They offered less."
        )
        two = make_question(title="Salary negotiation tips", body="Anchor high.")
        make_question(title="Unrelated gardening hobby", body="Tomatoes.")
    page = find("negotiate remote salary")
    assert ids(page) == [all_three.pk, two.pk, one.pk]
    assert not any("no post has all" in message.lower() for message in page.messages)


def test_partial_matches_are_shown_and_the_page_says_so(engine, indexed):
    with indexed():
        phd = make_question(title="Is a PhD worth it for research jobs?", body="Five years.")
        industry = make_question(title="Leaving academia for industry", body="Pay and pace.")
    page = find("phd industry robotics")
    assert set(ids(page)) == {phd.pk, industry.pk}
    assert any("no post has all your words" in message.lower() for message in page.messages)


def test_plus_word_must_match(engine, indexed):
    with indexed():
        python = make_question(title="Python backend careers", body="Django and APIs.")
        make_question(title="Backend careers in Java", body="Spring.")
    assert ids(find("backend careers +python")) == [python.pk]


def test_title_ranks_above_a_body_that_repeats_the_word_five_times(engine, indexed):
    with indexed():
        in_body = make_question(
            title="Notes from my job search",
            body="Portfolio, portfolio, portfolio: my portfolio was all that my portfolio "
            "reviewers asked about during the whole search.",
        )
        in_title = make_question(
            title="What should a portfolio show?", body="I am applying to design roles soon."
        )
    assert ids(find("portfolio")) == [in_title.pk, in_body.pk]


def test_words_naming_a_tag_or_a_synonym_boost_it_without_requiring_it(engine, indexed):
    big_tech = Tag.objects.create(name="big-tech", slug="big-tech")
    TagSynonym.objects.create(source="faang", target=big_tech)
    with indexed():
        untagged = make_question(title="Interview preparation plan", body="Four weeks of prep.")
        tagged = make_question(
            title="Interview preparation plan", body="Four weeks of prep.", tags=["big-tech"]
        )
    assert ids(find("faang interview")) == [tagged.pk, untagged.pk]
    assert ids(find("big tech interview")) == [tagged.pk, untagged.pk]


def test_one_result_per_thread_with_its_matching_answers_counted(engine, indexed):
    with indexed():
        thread = make_question(title="Which skills for a perception job?", body="Listing options.")
        for body in ("Learn computer vision basics.", "Computer vision projects.", "OpenCV."):
            make_answer(thread, body=body)
        other = make_question(title="Computer vision at a startup", body="Small team.")
    page = find("computer vision")
    assert sorted(ids(page)) == sorted([thread.pk, other.pk])
    grouped = next(hit for hit in page.hits if hit.id == thread.pk)
    assert grouped.matching_answers == 2
    assert "vision" in grouped.snippet.lower()
    answers = find("computer vision is:answer")
    assert len(answers.hits) == 2
    assert all(hit.kind == "answer" for hit in answers.hits)


def test_a_thread_with_many_matching_answers_does_not_empty_the_page(engine, indexed):
    with indexed():
        crowded = make_question(title="Negotiation stories", body="Share yours.")
        for number in range(40):
            make_answer(crowded, body=f"Salary talk {number}: salary, salary and more salary.")
        others = [
            make_question(title=f"Career question {number}", body="About salary, briefly.")
            for number in range(5)
        ]
    page = find("salary")
    assert sorted(ids(page)) == sorted([crowded.pk] + [other.pk for other in others])
    assert page.hits[0].matching_answers == 40


def test_an_estimated_total_does_not_make_the_page_read_again(engine, indexed, monkeypatch):
    with indexed():
        make_question(title="Salary bands", body="Levels.")
    searches = []
    real = engine.search

    def estimating(query, offset, limit, sort):
        result = real(query, offset, limit, sort)
        searches.append(limit)
        result.total, result.estimated = 5000, True  # as whoosh estimates phrase totals
        return result

    monkeypatch.setattr(engine, "search", estimating)
    assert len(search.search(parse("salary"), backend=engine).hits) == 1
    assert len(searches) == 1


def test_did_you_mean_only_for_unknown_words_when_it_finds_more(engine, indexed):
    with indexed():
        make_question(title="Negotiating a salary offer", body="Tips for the talk.")
    assert find("negotiating salry").suggestion == "negotiating salary"
    assert find("salary is").suggestion is None  # a stop word is never "corrected"
    assert find("salary offer").suggestion is None  # words the index knows are left alone


def test_did_you_mean_keeps_the_query_away_from_tags_when_asked(engine, indexed):
    # bench_search and eval_search search corpora that are not in the database.
    with indexed():
        make_question(title="Negotiating a salary offer", body="Tips for the talk.")
    with CaptureQueriesContext(connection) as queries:
        page = search.search(parse("negotiating salry", resolve_tags=False))
    assert page.suggestion == "negotiating salary"
    assert not [query for query in queries if "taggit" in query["sql"]]


def test_quit_does_not_match_quite(engine, indexed):
    with indexed():
        quit_post = make_question(title="I want to quit my PhD", body="Year three, tired.")
        quite = make_question(title="Quite a long commute", body="Ninety minutes each way.")
    found = ids(find("quit phd"))
    assert quit_post.pk in found
    assert quite.pk not in found


def test_slang_finds_the_words_posts_use(engine, indexed):
    with indexed():
        phd = make_question(title="Is a PhD worth five years?", body="Thinking about research.")
        make_question(title="Moving abroad", body="Visas.")
        leetcode = make_question(title="Practice plan", body="Daily coding puzzles for a month.")
    assert ids(find("is grad school worth it"))[:1] == [phd.pk]
    page = find("leetcode plan")
    assert ids(page)[:1] == [leetcode.pk]
    assert "<mark>coding</mark> <mark>puzzles</mark>" in page.hits[0].snippet  # why it matched


# --- meaning: the semantic layer fused with the words ----------------------------------


def test_a_question_in_other_words_is_found_by_meaning_and_marked(meaning, indexed):
    with indexed():
        wanted = make_question(
            title="Is doing a doctorate worth it compared to getting a job?",
            body="I finished my master's and have a funded offer.",
        )
        make_question(title="Best laptop for a designer", body="Budget is tight.")
    page = find("more years at university or start my career?")
    assert ids(page)[:1] == [wanted.pk]
    assert page.hits[0].by_meaning  # no typed word is in it: the page says why it matched


def test_similar_questions_while_asking_and_related_use_meaning(meaning, indexed):
    with indexed():
        doctorate = make_question(
            title="Is doing a doctorate worth it compared to getting a job?", body="Funded."
        )
        other = make_question(title="Should I pursue a PhD or go into industry?", body="Hmm.")
        make_question(title="Best laptop for a designer", body="Budget is tight.")
    assert doctorate.pk in [d.id for d in search.similar_to_title("Grad school or a job?")]
    assert [d.id for d in search.related_questions(other)][:1] == [doctorate.pk]


def test_deleted_posts_never_come_back_through_meaning(meaning, indexed):
    from kb.models import Post

    with indexed():
        gone = make_question(
            title="Is doing a doctorate worth it compared to getting a job?", body="Funded."
        )
        kept = make_question(title="Should I pursue a PhD or go into industry?", body="Hmm.")
    with indexed():
        Post.objects.filter(pk=gone.pk).update(is_deleted=True)
        search.schedule_reindex(gone.pk)
    assert gone.pk not in ids(find("should I go to grad school or start working"))
    assert gone.pk not in [d.id for d in search.similar_to_title("Grad school or a job?")]
    assert gone.pk not in [d.id for d in search.related_questions(kept)]


def test_meaning_keeps_the_query_filters(meaning, indexed):
    with indexed():
        make_question(
            title="Is doing a doctorate worth it compared to getting a job?", tags=["academia"]
        )
        tagged = make_question(title="Grad school for working adults?", tags=["career-switch"])
    assert ids(find("should I go to grad school [career-switch]")) == [tagged.pk]
