"""The search query language, parsed once into an engine-neutral ``ParsedQuery``.

Syntax (the help box on the search page explains it to users)::

    should I join a startup   words: stemmed, best match first (posts with all the words,
                              then with most of them); stop and question words carry no
                              weight; a title counts more than a body; a word that names
                              a tag boosts that tag; slang widens ("grad school" -> phd)
    +python                   this word must match
    "machine learning"        an exact phrase
    -recruiter  -"cover letter"   leave out posts with this word or phrase
    [python]  tag:python      only posts with this tag (synonyms resolved); -[tag] excludes
    is:question|answer|post   one kind (post = experience post)
    user:alice                by this author (username)
    score:5                   at least this score
    answers:0                 unanswered questions (answers:N = at least N answers)
    accepted:yes|no           with / without an accepted answer

Parsing never fails: anything it cannot use (an unknown operator, a bad number, an
unbalanced quote, control characters) becomes a plain word or a message in
``ParsedQuery.messages`` that the page shows next to the results.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from kb.search.text import STOP_WORDS, words_of
from kb.search.vocabulary import EXPANSION_WEIGHT, EXPANSIONS, MAX_EXPANSIONS, QUERY_STOP_WORDS
from kb.tags import MAX_TAG_LENGTH, is_valid_tag_name

MAX_QUERY_LENGTH = 500
MAX_WORDS = 24
MAX_PHRASE_WORDS = 12
MAX_TAGS = 5
KINDS = {
    "question": "question",
    "answer": "answer",
    "post": "experience",
    "experience": "experience",
}
_YES = {"yes", "true", "1", "y"}
_NO = {"no", "false", "0", "n"}
_USER_RE = re.compile(r"^[\w.@+-]{1,150}$")
# One token: an optional minus, then a "phrase" (closing quote optional), a [tag]
# (closing bracket optional) or a run of non-space characters.
_TOKEN_RE = re.compile(r'(-?)(?:"([^"]*)"?|\[([^\]]*)\]?|(\S+))')
# An English contraction or possessive: "didn't", "I've", "company's" (straight or curly ').
_CONTRACTION_RE = re.compile(
    r"(?<![\w'\u2019])(\w+)['\u2019](s|t|d|m|ll|re|ve)(?!\w)", re.IGNORECASE
)


@dataclass
class ParsedQuery:
    raw: str = ""
    words: list[str] = field(default_factory=list)  # scored; the more match, the better
    required_words: list[str] = field(default_factory=list)  # +word: must match
    # Slang and abbreviations widened to the words posts use: optional, weighed lower.
    expansions: dict[str, float] = field(default_factory=dict)
    # The first expansion of each slang word typed ("grad school" -> phd): told to the
    # sentence encoder too, which knows "PhD" far better than "grad school".
    meaning_hints: list[str] = field(default_factory=list)
    boost_tags: list[str] = field(default_factory=list)  # tags the words name: a boost
    phrases: list[list[str]] = field(default_factory=list)
    excluded_words: list[str] = field(default_factory=list)
    excluded_phrases: list[list[str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    excluded_tags: list[str] = field(default_factory=list)
    kind: str | None = None
    user: str | None = None
    min_score: int | None = None
    answers: int | None = None  # 0: no answers; N > 0: at least N
    accepted: bool | None = None
    messages: list[str] = field(default_factory=list)
    resolve_tags: bool = True  # tag names and synonyms were looked up in the database

    @property
    def has_text(self) -> bool:
        """Words or phrases that need the full-text index (filters alone do not)."""
        return bool(self.words or self.required_words or self.phrases)

    @property
    def is_free_text(self) -> bool:
        """Plain words only, as a sentence is typed: no operator narrows what may match."""
        return bool(self.words) and not (
            self.required_words or self.phrases or self.excluded_words or self.excluded_phrases
        )

    @property
    def scored_words(self) -> list[str]:
        """Every word a post is scored on: the typed words, required or not."""
        return self.words + [w for w in self.required_words if w not in self.words]

    @property
    def is_empty(self) -> bool:
        return not (self.has_text or self.has_filters)

    @property
    def has_filters(self) -> bool:
        return bool(
            self.tags
            or self.excluded_tags
            or self.kind
            or self.user
            or self.min_score is not None
            or self.answers is not None
            or self.accepted is not None
        )

    @property
    def positive_terms(self) -> list[str]:
        """Every word the user wants found, and what their slang means (for highlighting)."""
        return (
            self.scored_words
            + list(self.expansions)
            + [word for phrase in self.phrases for word in phrase]
        )

    def with_tag(self, tag: str) -> str:
        """The raw query narrowed by one more tag (facet links)."""
        if tag in self.tags:
            return self.raw
        return f"{self.raw} [{tag}]".strip()


def clean(raw: str) -> str:
    """Drop control characters (NUL included) and cap the length."""
    text = "".join(
        " " if unicodedata.category(char)[0] in "CZ" and char != " " else char
        for char in (raw or "")[: MAX_QUERY_LENGTH * 4]
    )
    return text[:MAX_QUERY_LENGTH].strip()


def parse(raw: str | None, *, resolve_tags: bool = True) -> ParsedQuery:
    """Parse what the user typed. Never raises."""
    raw = raw or ""
    text = clean(raw)
    query = ParsedQuery(raw=text, resolve_tags=resolve_tags)
    if len(raw) > MAX_QUERY_LENGTH:
        query.messages.append(f"Only the first {MAX_QUERY_LENGTH} characters were searched.")
    if text.count('"') % 2:
        query.messages.append("A quote was not closed: the phrase runs to the end.")
    for match in _TOKEN_RE.finditer(text):
        negated, phrase, tag, token = match.groups()
        if phrase is not None:
            _add_phrase(query, phrase, negated=bool(negated))
        elif tag is not None:
            _add_tag(query, tag, negated=bool(negated))
        else:
            _add_token(query, token, negated=bool(negated))
    _tidy(query, resolve_tags=resolve_tags)
    return query


def _add_phrase(query: ParsedQuery, text: str, *, negated: bool) -> None:
    words = words_of(text)[:MAX_PHRASE_WORDS]
    if not words:
        return
    if len(words) == 1:
        (query.excluded_words if negated else query.words).append(words[0])
    else:
        (query.excluded_phrases if negated else query.phrases).append(words)


def _add_tag(query: ParsedQuery, name: str, *, negated: bool) -> None:
    name = name.strip().lower()
    if not name:
        return
    if not is_valid_tag_name(name):
        query.messages.append(f"“{name[:40]}” is not a valid tag name; it was left out.")
        return
    (query.excluded_tags if negated else query.tags).append(name)


def _add_token(query: ParsedQuery, token: str, *, negated: bool) -> None:
    operator, sep, value = token.partition(":")
    operator = operator.lower()
    if sep and value and _add_operator(query, operator, value, negated=negated):
        return
    required = token.startswith("+") and len(token) > 1 and not negated
    token = _uncontracted(token)
    words = words_of(token)
    if negated:
        query.excluded_words.extend(words)
    elif required:
        query.required_words.extend(words)
    else:
        # "self-driving" or "node.js" are words too, not a phrase every post must hold:
        # posts with all the parts rank first. Only a "quoted phrase" is strict.
        query.words.extend(words)


def _uncontracted(token: str) -> str:
    """A contraction is one word: "didn't" and "I've" carry no weight (they are question
    words), "company's" is "company"."""

    def word(match: re.Match) -> str:
        whole = f"{match[1]}'{match[2]}".lower()
        return " " if whole in QUERY_STOP_WORDS else match[1]

    return _CONTRACTION_RE.sub(word, token)


def _add_operator(query: ParsedQuery, operator: str, value: str, *, negated: bool) -> bool:
    """Apply ``operator:value``; False when it is no operator (then it is searched as words)."""
    value_lower = value.lower()
    if operator == "tag":
        _add_tag(query, value, negated=negated)
    elif operator == "is":
        if value_lower not in KINDS:
            query.messages.append(
                f"“is:{value[:20]}” is unknown: use is:question, is:answer or is:post."
            )
        else:
            query.kind = KINDS[value_lower]
    elif operator == "user":
        if _USER_RE.match(value):
            query.user = value
        else:
            query.messages.append(f"“user:{value[:40]}” is not a valid user name.")
    elif operator in ("score", "answers"):
        number = _number(value)
        if number is None:
            query.messages.append(
                f"“{operator}:{value[:20]}” needs a whole number, like {operator}:3."
            )
        elif operator == "score":
            query.min_score = number
        else:
            query.answers = max(number, 0)
    elif operator == "accepted":
        if value_lower in _YES | _NO:
            query.accepted = value_lower in _YES
        else:
            query.messages.append("Use accepted:yes or accepted:no.")
    else:
        return False
    return True


def _number(value: str) -> int | None:
    if not re.fullmatch(r"-?\d{1,9}", value):
        return None
    return int(value)


def _tidy(query: ParsedQuery, *, resolve_tags: bool) -> None:
    if query.answers is not None and query.kind is None:
        query.kind = "question"  # only questions have answers
    typed = list(query.words)
    meaningful = [word for word in query.words if word not in QUERY_STOP_WORDS]
    if meaningful or query.phrases or query.required_words:
        query.words = meaningful
    else:  # only stop words: search the least common-looking ones rather than nothing
        query.words = [word for word in query.words if word not in STOP_WORDS] or query.words
    query.words = list(dict.fromkeys(query.words))
    if len(query.words) > MAX_WORDS:
        query.messages.append(f"Only the first {MAX_WORDS} words were searched.")
        query.words = query.words[:MAX_WORDS]
    query.required_words = list(
        dict.fromkeys(w for w in query.required_words if w not in STOP_WORDS)
    )[:MAX_WORDS]
    query.expansions = _expansions(typed, set(query.scored_words))
    query.meaning_hints = _meaning_hints(typed)
    if resolve_tags and typed:
        query.boost_tags = _tags_named(typed)
    query.excluded_words = list(
        dict.fromkeys(w for w in query.excluded_words if w not in STOP_WORDS)
    )
    if resolve_tags and (query.tags or query.excluded_tags):
        from kb.tags import resolve_synonyms

        query.tags = resolve_synonyms(query.tags)
        query.excluded_tags = resolve_synonyms(query.excluded_tags)
    query.tags = list(dict.fromkeys(query.tags))[:MAX_TAGS]
    query.excluded_tags = list(dict.fromkeys(query.excluded_tags))[:MAX_TAGS]


def _ngrams(words: list[str], longest: int = 3) -> list[str]:
    """Every run of 1 to ``longest`` adjacent words, joined by spaces."""
    return [
        " ".join(words[start : start + size])
        for size in range(1, longest + 1)
        for start in range(len(words) - size + 1)
    ]


def _expansions(typed: list[str], scored: set[str]) -> dict[str, float]:
    """Words that posts use for the slang and abbreviations typed (``grad school`` -> phd)."""
    expansions: dict[str, float] = {}
    for gram in _ngrams(typed, 2):
        for word in EXPANSIONS.get(gram, ()):
            if word not in scored and word not in QUERY_STOP_WORDS:
                expansions.setdefault(word, EXPANSION_WEIGHT)
    return dict(list(expansions.items())[:MAX_EXPANSIONS])


def _meaning_hints(typed: list[str]) -> list[str]:
    hints = (EXPANSIONS[gram][0] for gram in _ngrams(typed, 2) if gram in EXPANSIONS)
    return [hint for hint in dict.fromkeys(hints) if hint not in typed][:MAX_EXPANSIONS]


def _tags_named(typed: list[str]) -> list[str]:
    """Tags whose name (or a synonym's) the words spell: ``big tech`` -> big-tech, faang too.

    Runs of up to three words are tried joined by "-" (``phd vs product``), each also in
    the singular and the plural. One query, whatever the length of the query.
    """
    from django.db.models import Q
    from taggit.models import Tag

    candidates: set[str] = set()
    for gram in _ngrams(typed[:MAX_WORDS], 3):
        name = gram.replace(" ", "-")
        if len(name) > MAX_TAG_LENGTH or (" " not in gram and gram in QUERY_STOP_WORDS):
            continue
        candidates |= {name, name.removesuffix("s"), name + "s"}
    if not candidates:
        return []
    named = Tag.objects.filter(Q(name__in=candidates) | Q(synonyms__source__in=candidates))
    names = set(named.values_list("name", flat=True))
    return sorted(names)[:MAX_TAGS]
