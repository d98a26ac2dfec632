"""The words a career question is made of: what carries no weight, and what means what.

People type questions as sentences ("should I do a PhD or go to industry?"). The words
that only make it a sentence (question words, pronouns, auxiliaries, "vs") are dropped
from the query's scored words, outside quoted phrases. The index keeps them: phrases
still match them.

``EXPANSIONS`` maps career slang and abbreviations to the words posts use for the same
thing ("grad school" -> phd). Expansion words are optional and weigh less than the words
typed; they widen what is found, they never narrow it.
"""

from __future__ import annotations

from kb.search.text import STOP_WORDS

QUESTION_WORDS = frozenset(
    """
    about above after again all also am any anyone anybody anything around because become
    becoming been before being best better between both but could did do does doing done
    each else even
    ever every get gets getting go goes going got had has having he her here hers him his
    how however i i'd i'm i've id im into its itself just know let like lot lots me might
    more most much must my myself need needs no nor now ok okay one only other our ours out
    over own please really same shall she should so some someone something still such than
    thanks their theirs them then there these they thing things those though through too
    try trying under until up very vs versus want wants was way were what whats whatever
    where whether which while who whom whose why would yes yours yourself
    aren't can't couldn't didn't doesn't don't hadn't hasn't haven't isn't shouldn't wasn't
    weren't won't wouldn't it's that's there's what's who's let's i'll you'll we'll they'll
    you're we're they're you've we've they've you'd we'd they'd he's she's
    """.split()  # noqa: SIM905 (a word list reads best as prose)
)
QUERY_STOP_WORDS = STOP_WORDS | QUESTION_WORDS

# What people type -> what posts say. Keys are lower-case words or word pairs.
EXPANSIONS: dict[str, tuple[str, ...]] = {
    "grad school": ("phd", "graduate", "masters", "doctorate"),
    "graduate school": ("phd", "masters", "doctorate"),
    "doctorate": ("phd",),
    "phd": ("doctorate", "doctoral"),
    "masters": ("msc", "degree"),
    "msc": ("masters", "degree"),
    "abd": ("phd", "doctorate", "dissertation", "thesis"),  # "all but dissertation"
    "drop out": ("leave", "leaving", "quit"),
    "dropped out": ("leaving", "left", "quit"),
    "dropping out": ("leave", "leaving", "quit"),
    "leetcode": ("interview", "coding", "algorithms", "puzzles"),
    "onsite": ("interview", "loop"),
    "faang": ("big", "tech", "google", "amazon", "meta"),
    "maang": ("big", "tech", "google", "amazon", "meta"),
    "big tech": ("faang", "google", "large", "company"),
    "new grad": ("graduate", "junior", "entry", "first", "job"),
    "entry level": ("junior", "graduate", "first", "job"),
    "rsu": ("equity", "stock", "shares", "compensation"),
    "rsus": ("equity", "stock", "shares", "compensation"),
    "comp": ("compensation", "salary", "pay"),
    "tc": ("compensation", "salary"),
    "pay": ("salary", "compensation"),
    "pay cut": ("salary", "lower", "less"),
    "salary": ("compensation", "pay", "offer"),
    "swe": ("software", "engineer", "developer"),
    "sde": ("software", "engineer", "developer"),
    "dev": ("developer", "software", "engineer"),
    "cpp": ("c",),  # C++ is indexed as "c"
    "ml": ("machine", "learning"),
    "mle": ("machine", "learning", "engineer"),
    "dl": ("deep", "learning"),
    "prod": ("production",),
    "ai": ("machine", "learning"),
    "cv": ("computer", "vision", "resume"),
    "resume": ("cv", "portfolio"),
    "wlb": ("work", "life", "balance"),
    "burnout": ("burned", "exhausted", "stress"),
    "quit": ("leave", "leaving", "resign"),
    "quitting": ("leave", "leaving", "resign"),
    "startup": ("startups", "founder", "early", "stage"),
    "bootcamp": ("self", "taught", "course"),
    "self taught": ("bootcamp", "online", "courses"),
    "remote": ("home", "distributed"),
    "wfh": ("remote", "home"),
    "pip": ("performance", "improvement", "plan"),
    "layoff": ("laid", "fired", "redundant"),
    "laid off": ("layoff", "fired"),
    "mba": ("business", "school", "management"),
    "pm": ("product", "manager"),
    "em": ("engineering", "manager"),
    "ic": ("individual", "contributor"),
    "oss": ("open", "source"),
    "github": ("portfolio", "projects"),
}
EXPANSION_WEIGHT = 0.3  # an expansion word counts this much of a typed word
MAX_EXPANSIONS = 12
