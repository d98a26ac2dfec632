"""Text handling shared by every engine: words, stems, and HTML-safe highlighted snippets.

Snippets are made here, not by the engines, so that every engine escapes user text the
same way and adds nothing but ``<mark>``.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from whoosh.lang.snowball.english import EnglishStemmer

# Whoosh's English stop list: frequent words that say nothing about a post.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "for",
        "from",
        "have",
        "if",
        "in",
        "is",
        "it",
        "may",
        "not",
        "of",
        "on",
        "or",
        "tbd",
        "that",
        "the",
        "this",
        "to",
        "us",
        "we",
        "when",
        "will",
        "with",
        "yet",
        "you",
        "your",
    ]
)
MAX_WORD_LENGTH = 40
MAX_HITS = 50  # a snippet is chosen among the first this-many hits of a text
# Words of at most MAX_WORD_LENGTH characters; longer runs are skipped whole.
_WORD_RE = re.compile(rf"(?<!\w)\w{{1,{MAX_WORD_LENGTH}}}(?!\w)")
_stemmer = EnglishStemmer()


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def words_of(text: str) -> list[str]:
    """Lower-case words, as the query language and the indexes split them."""
    return _WORD_RE.findall(normalize(text))


# Words Snowball folds into another word's stem though they mean something else.
_OWN_STEMS = {"quite": "quite"}  # not "quit"


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball English (Porter 2), as PostgreSQL's and tantivy's English stemmers."""
    return _OWN_STEMS.get(word) or _stemmer.stem(word)


def stem_counts(text: str) -> Counter:
    """How often each stem occurs (stop words left out): what an index stores per post."""
    counts: Counter = Counter()
    for word, count in Counter(words_of(text)).items():
        if word not in STOP_WORDS:
            counts[stem(word)] += count
    return counts


def phrase_pattern(phrase: list[str]) -> re.Pattern:
    """A regex finding the phrase's words side by side, each allowing its inflections.

    Whoosh verifies phrases with it: matching a compiled pattern against the stored text is
    much cheaper than stemming the whole text.
    """
    parts = []
    for word in phrase:
        root = stem(word) if word not in STOP_WORDS else word
        root = root if word.startswith(root) else word
        parts.append(re.escape(root) + r"\w*")
    return re.compile(r"(?<!\w)" + r"\W+".join(parts), re.IGNORECASE)


def highlight(text: str, terms: Iterable[str], *, length: int | None = 240) -> str:
    """An HTML-escaped window of ``text`` around the query's words, each found one in <mark>.

    ``length=None`` keeps the whole text.

    Words match by stem, so "negotiating" finds "negotiation". Only <mark> is added; every
    character of the user's text goes through ``html.escape``.
    """
    text = text or ""
    hits = _hits(text, frozenset(stem(normalize(term)) for term in terms if term))
    if length is None:  # the whole text (titles)
        length = len(text)
    start = _window_start(text, hits, length) if length < len(text) else 0
    end = min(len(text), start + length)
    if end < len(text):  # do not cut a word in half
        space = text.rfind(" ", start, end)
        end = space if space > start + length // 2 else end
    parts = ["…" if start > 0 else ""]
    cursor = start
    for hit_start, hit_end in hits:
        if hit_start < start:
            continue
        if hit_end > end:
            break
        parts.append(html.escape(text[cursor:hit_start]))
        parts.append(f"<mark>{html.escape(text[hit_start:hit_end])}</mark>")
        cursor = hit_end
    parts.append(html.escape(text[cursor:end]))
    parts.append("…" if end < len(text) else "")
    return "".join(parts)


@functools.lru_cache(maxsize=1024)
def _candidate_pattern(wanted: frozenset[str]) -> re.Pattern:
    """Words that may have one of the wanted stems: they start like the stem.

    Snowball keeps a word's beginning; only a final i, l or e may not be the word's own
    ("happy" -> "happi", "possibility" -> "possibl", "hoping" -> "hope"), so candidates
    start with the stem, or with the stem but its last letter when it is one of those.
    """
    roots = sorted({_root_prefix(root) for root in wanted}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, roots)) + r")\w*", re.IGNORECASE)


def _root_prefix(root: str) -> str:
    return root[:-1] if len(root) > 2 and root[-1] in "ile" else root


def _hits(text: str, wanted: frozenset[str]) -> list[tuple[int, int]]:
    """Where the wanted stems occur: a regex finds candidates, the stemmer confirms them."""
    if not wanted:
        return []
    found = (
        match.span()
        for match in _candidate_pattern(wanted).finditer(text)
        if stem(match.group().lower()) in wanted
    )
    return list(itertools.islice(found, MAX_HITS))


def _window_start(text: str, hits: list[tuple[int, int]], length: int) -> int:
    """Where the snippet starts: a little before the first hit of the window with most hits."""
    if not hits:
        return 0
    reach = length - 40
    best_start, best_count = hits[0][0], 0
    last = 0  # sliding window: hits[i:last] start within reach of hits[i]
    for i, (hit_start, _) in enumerate(hits):
        last = max(last, i)
        while last < len(hits) and hits[last][0] < hit_start + reach:
            last += 1
        if last - i > best_count:
            best_start, best_count = hit_start, last - i
    start = max(0, best_start - 40)
    if start == 0:
        return 0
    space = text.find(" ", start, best_start)
    return space + 1 if space != -1 else start


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def closest_word(word: str, candidates: Iterable[str], max_distance: int = 2) -> str | None:
    scored = sorted(
        (edit_distance(word, candidate), candidate)
        for candidate in candidates
        if candidate != word and candidate.isalpha() and abs(len(candidate) - len(word)) <= 2
    )
    if scored and scored[0][0] <= max_distance:
        return scored[0][1]
    return None


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def one_edit_away(word: str) -> set[str]:
    """Every string one deletion, swap, change or insertion away (Norvig's spelling edits)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    changes = [a + c + b[1:] for a, b in splits if b for c in _LETTERS]
    inserts = [a + c + b for a, b in splits for c in _LETTERS]
    return set(deletes + swaps + changes + inserts)
