"""Relevance over the demo community: questions as people type them find the right post.

The posts are the ones ``manage.py load_demo`` creates (kb/demo/community.toml), loaded once
for the module. Each query below is paired with the demo post a person typing it wants;
about half use the post's own words, the others other words (synonyms, slang and
abbreviations such as FAANG, grad school, new grad, leetcode, RSU, WFH). They go through
the site's search path, ``search(parse(text))``, and are scored by the rank of the wanted
post on the first page (questions and their answers are one result).

The site's setup (whoosh with the semantic layer on) must put the wanted post in the top 5
for at least 90 % of the queries; the engines alone (words only, no meaning) are held to
lower floors, measured when this file was written. No query may end on an empty page.
``pytest -s`` prints the rank of every query per setup.
"""

from io import StringIO
from typing import NamedTuple

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from kb import search
from kb.demo import read_community
from kb.models import Post
from kb.search import vectors
from kb.search.query import parse
from tests.search.conftest import _skip_unless_available, ids

TOP = 5

# The demo posts wanted, by a short name (their titles are in kb/demo/community.toml).
POSTS = {
    "phd-or-offer": "Should I finish my PhD or take the product ML offer I have now?",
    "startup-or-big-tech": (
        "Startup or big tech for my first computer-vision job after graduating?"
    ),
    "cv-skills": "Which skills actually matter for a first computer-vision job?",
    "cpp-robotics": "How much modern C++ do I need for robotics perception roles?",
    "notebook-deploy": "My model works in a notebook. How do I learn deployment properly?",
    "cv-portfolio": (
        "What should a computer-vision portfolio contain without industry experience?"
    ),
    "design-interview": "How do I prepare for a computer-vision system design interview?",
    "mech-to-cv": (
        "Is it realistic to switch from mechanical engineering to computer vision at 32?"
    ),
    "lab-or-product": "PhD in 3D vision: research lab at a big company or a product team?",
    "explain-leaving-phd": "How do I explain leaving a PhD without it sounding like a failure?",
    "equity": "How should I value startup equity against a big-tech offer?",
    "kaggle": "Does a Kaggle ranking help when applying for ML engineer roles?",
    "mle-loop": "What does an MLE interview loop look like at a large company?",
    "2d-to-3d": "How do I move from 2D detection work toward 3D scene understanding?",
    "python-or-cpp": "Python or C++ first for someone starting out in embedded vision?",
    "show-deployment": "How can I show deployment experience when my job never let me ship?",
    "remote-junior": "Is remote work still realistic for junior computer-vision engineers?",
    "back-to-startup": (
        "Moving from big tech back to a startup after five years: what surprised you?"
    ),
    "coding-puzzles": "How many coding puzzles do computer-vision interviews really include?",
    "mlops-tools": "Which cloud and MLOps tools are worth learning first?",
    "read-papers": "How do you read papers efficiently when switching research fields?",
    "negotiate-title": "How do I negotiate my title when moving from research to engineering?",
    # experience posts
    "story-2d-to-3d": "From 2D detection to 3D scene understanding: my first year of the shift",
    "story-self-study": (
        "Mechanical engineer to computer-vision engineer in 20 months of self-study"
    ),
    "story-left-phd": (
        "Why I left my robotics PhD for a product team, and what I would do differently"
    ),
    "story-startups-then-big-tech": "Two startups, then big tech: what changed and what did not",
    "story-factories": "What I learned shipping my first model to forty factories",
}

OWN, OTHER = "own", "other"  # the post's own words; other words (synonyms, slang, short)

# What people type, by the post they want.
QUERIES = {
    "phd-or-offer": [
        (OWN, "should I finish my PhD or take the job offer"),
        (OTHER, "should I do a PhD or go to industry"),
        (OTHER, "is grad school worth it"),
        (OTHER, "drop out of my doctorate for an industry job?"),
        (OTHER, "phd vs industry"),
    ],
    "lab-or-product": [
        (OWN, "research lab or product team after my PhD"),
        (OTHER, "research scientist vs applied engineer at big tech after a doctorate"),
        (OTHER, "what's the day to day like in an industry research lab"),
    ],
    "explain-leaving-phd": [
        (OWN, "how do I explain leaving my PhD in interviews"),
        (OTHER, "dropped out of grad school, what do I say when they ask why I didn't finish"),
        (OTHER, "I'm ABD, how do I talk about it in job interviews"),
    ],
    "story-left-phd": [
        (OWN, "why I left my PhD for a product team"),
        (OTHER, "anyone regret quitting their PhD to build robots in industry?"),
    ],
    "startup-or-big-tech": [
        (OWN, "startup or big tech for my first job after graduating"),
        (OTHER, "new grad: join a startup or FAANG?"),
    ],
    "equity": [
        (OWN, "how to value startup equity against a big tech offer"),
        (OTHER, "are startup stock options worth less than RSUs"),
        (OTHER, "comparing TC: early stage options vs faang rsu"),
        (OTHER, "rsu vs stock options"),
        (OTHER, "should I take a pay cut to join a startup for options"),
    ],
    "back-to-startup": [
        (OWN, "moving from big tech back to a startup"),
        (OTHER, "leaving FAANG for a small company after 5 years, any regrets?"),
    ],
    "story-startups-then-big-tech": [
        (OWN, "two startups then big tech, what changed"),
        (OTHER, "what is it like to go from startups to a large company"),
    ],
    "cv-skills": [
        (OWN, "which skills matter for a computer vision job"),
        (OTHER, "what should I learn to get hired as a junior CV engineer"),
    ],
    "cpp-robotics": [
        (OWN, "how much C++ do I need for robotics perception"),
        (OTHER, "how good does my cpp have to be for self-driving perception jobs"),
    ],
    "python-or-cpp": [
        (OWN, "python or C++ first for embedded vision"),
        (OTHER, "which programming language to learn first for edge AI on cameras"),
    ],
    "mlops-tools": [
        (OWN, "which MLOps tools are worth learning first"),
        (OTHER, "should I learn AWS, kubernetes or airflow for an MLE job"),
    ],
    "read-papers": [
        (OWN, "how do you read papers efficiently"),
        (OTHER, "how to get up to speed on the literature in a new research area"),
    ],
    "notebook-deploy": [
        (OWN, "my model works in a notebook, how do I learn deployment"),
        (OTHER, "how do I get a pytorch model into prod on a machine with no gpu"),
        (OTHER, "edge deployment without a gpu"),
        (OTHER, "how do I run my detector on a CPU with ONNX"),
    ],
    "show-deployment": [
        (OWN, "how can I show deployment experience"),
        (OTHER, "no production experience, how do I prove I can ship ML models"),
    ],
    "story-factories": [
        (OWN, "shipping my first model to factories"),
        (OTHER, "lessons from rolling out defect detection on real manufacturing lines"),
    ],
    "cv-portfolio": [
        (OWN, "what should a computer vision portfolio contain"),
        (OTHER, "what github projects impress recruiters when you have no work experience"),
    ],
    "kaggle": [
        (OWN, "does a Kaggle ranking help for ML engineer roles"),
        (OWN, "is kaggle worth it"),
        (OTHER, "do data science competition medals matter to hiring managers"),
    ],
    "design-interview": [
        (OWN, "how do I prepare for a computer vision system design interview"),
        (OTHER, "tips for the ML architecture whiteboard round at a senior onsite"),
    ],
    "mle-loop": [
        (OWN, "what does an MLE interview loop look like"),
        (OWN, "mle interview prep"),
        (OTHER, "what to expect in a machine learning onsite at faang"),
    ],
    "coding-puzzles": [
        (OWN, "how many coding puzzles are in computer vision interviews"),
        (OTHER, "how do I pass leetcode interviews at faang"),
        (OTHER, "do I need to grind leetcode for perception roles"),
        (OTHER, "sde interview at amazon, is it all leetcode"),
    ],
    "mech-to-cv": [
        (OWN, "switch from mechanical engineering to computer vision at 32"),
        (OTHER, "am I too old for a career change into AI in my thirties with a family"),
        (OTHER, "is it too late to get into ML at 32"),
    ],
    "story-self-study": [
        (OWN, "mechanical engineer to computer vision engineer through self-study"),
        (OTHER, "how long does it take to become self taught in CV while working full time"),
    ],
    "2d-to-3d": [
        (OWN, "how do I move from 2D detection to 3D scene understanding"),
        (OTHER, "getting into BEV and occupancy networks when all I've done is bounding boxes"),
    ],
    "story-2d-to-3d": [
        (OWN, "my first year shifting from 2D detection to 3D"),
    ],
    "remote-junior": [
        (OWN, "is remote work realistic for junior computer vision engineers"),
        (OTHER, "can a new grad get a fully WFH job in computer vision"),
        (OTHER, "wfh cv jobs"),
    ],
    "negotiate-title": [
        (OWN, "how do I negotiate my title when moving from research to engineering"),
        (OTHER, "got an entry level offer despite my PhD, can I ask for a senior level?"),
    ],
}


class Case(NamedTuple):
    text: str
    wanted: str  # a key of POSTS
    words: str  # OWN or OTHER


CASES = [
    Case(text, wanted, words) for wanted, queries in QUERIES.items() for words, text in queries
]

# Per setup: the engine, whether the semantic layer is on, and the share of queries whose
# wanted post must be in the top 5. The site's setup (68/69 when this was written) is held
# to 90 %; the engines alone (words only) to a floor below what they measured (whoosh 66/69,
# tantivy 67/69, postgres 66/69), so that a small change in ranking does not fail them.
SETUPS = [
    pytest.param("whoosh", True, 0.90, id="default"),
    pytest.param("whoosh", False, 0.85, id="whoosh"),
    pytest.param("tantivy", False, 0.85, id="tantivy"),
    pytest.param("postgres", False, 0.85, id="postgres"),
]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo community and its sentence vectors, once for the module (rolled back after).

    Returns post id by title. The index is built by each test, for its engine.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=StringIO())
        # load_demo hands its posts to the after-commit indexing, which never runs here
        # (the block is rolled back): the tests build their own index.
        search._pending_ids().clear()
        with override_settings(SEMANTIC_SEARCH=True):
            vectors.rebuild()
        titles = dict(
            Post.objects.filter(kind__in=["question", "experience"]).values_list("title", "pk")
        )
        yield titles
        transaction.set_rollback(True)


def test_every_case_names_a_demo_post_and_every_post_is_wanted():
    community = read_community()
    demo_titles = {post.title for post in community.questions + community.experiences}
    assert set(POSTS.values()) <= demo_titles
    assert {case.wanted for case in CASES} == set(POSTS)
    assert len(CASES) >= 40
    assert sum(case.words == OTHER for case in CASES) >= len(CASES) // 2


def _rank(page, wanted_id) -> int | None:
    found = ids(page)
    return found.index(wanted_id) + 1 if wanted_id in found else None


@pytest.mark.parametrize(("engine", "semantic", "floor"), SETUPS)
def test_questions_find_the_post_people_want(engine, semantic, floor, demo, db, settings):
    _skip_unless_available(engine)
    setup = f"{engine}{' + meaning' if semantic else ' alone'}"
    settings.SEARCH_BACKEND = engine
    settings.SEMANTIC_SEARCH = semantic
    search.rebuild_from_database()

    rows, empty = [], []
    for case in CASES:
        page = search.search(parse(case.text))
        if not page.hits:
            empty.append(case.text)
        rows.append((_rank(page, demo[POSTS[case.wanted]]), case, page))

    in_top = [case for rank, case, _ in rows if rank is not None and rank <= TOP]
    first = [case for rank, case, _ in rows if rank == 1]
    other = [case for case in in_top if case.words == OTHER]
    print(
        f"\n{setup}: {len(in_top)}/{len(CASES)} in the top {TOP} "
        f"({len(other)}/{sum(c.words == OTHER for c in CASES)} in other words), "
        f"{len(first)} first"
    )
    for rank, case, page in rows:
        shown = "-" if rank is None else str(rank)
        top = (
            "" if rank == 1 else f"   <- got: {page.hits[0].title[:50] if page.hits else '(empty)'}"
        )
        print(f"  {shown:>2} {case.words:<5} {case.text}{top}")

    assert not empty, f"empty pages for {sorted(empty)}"
    assert len(in_top) >= floor * len(CASES), [
        case.text for rank, case, _ in rows if case not in in_top
    ]
