"""The demo community: kb/demo/community.toml (format described at its top), read and checked.

``read_community()`` returns plain dataclasses, or raises ``DemoDataError`` naming the first
entry that is wrong, before ``load_demo`` writes anything. The checks are the rules a member
posting through the site meets (lengths, tag names, no votes on your own post, one accepted
answer) plus what keeps loading idempotent (one answer per member and question, titles
unique per author).
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError

from kb.forms import (
    BODY_MAX,
    BODY_MIN,
    COMMENT_MAX,
    COMMENT_MIN,
    OUTCOME_MAX,
    OUTCOME_MIN,
    TITLE_MAX,
    TITLE_MIN,
)
from kb.paths import (
    MAX_ROLE_LENGTH,
    MAX_YEARS,
    CompanySize,
    Degree,
    clean_role_text,
    clean_steps,
)
from kb.tags import validate_tag_names

COMMUNITY_FILE = Path(__file__).with_name("community.toml")
# An answer comes this many hours after its day; the n-th comment n times this many hours
# after its post (kb/demo/community.toml, "Dates").
ANSWER_HOUR = 3
COMMENT_HOURS = 5


class DemoDataError(ValueError):
    """The demo data file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Member:
    username: str
    name: str
    headline: str
    bio: str
    password: str = ""
    # The User background fields (current_role, career_field, years_experience,
    # highest_degree, company_size, path_steps) from the member's ``background`` table.
    background: dict | None = None


@dataclass(frozen=True)
class TagEntry:
    name: str
    description: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommentEntry:
    author: str
    body: str


@dataclass(frozen=True)
class AnswerEntry:
    author: str
    days_after: float
    body: str
    accepted: bool = False
    votes: tuple[str, ...] = ()
    comments: tuple[CommentEntry, ...] = ()
    confirmed_days_ago: float | None = None  # its author said "still true" then


@dataclass(frozen=True)
class OutcomeEntry:
    """A question's outcome: by the asker, or the accepted answerer (the asker consents)."""

    author: str
    days_ago: float
    body: str


@dataclass(frozen=True)
class StartHereEntry:
    """The answer by ``answer`` to the question titled ``question``: "Start here" for ``tag``."""

    tag: str
    question: str
    answer: str


@dataclass(frozen=True)
class PostEntry:
    """A question (with its answers) or an experience post (``answers`` empty)."""

    title: str
    author: str
    days_ago: float
    tags: tuple[str, ...]
    views: int
    body: str
    votes: tuple[str, ...] = ()
    comments: tuple[CommentEntry, ...] = ()
    answers: tuple[AnswerEntry, ...] = ()
    anonymous: bool = False  # questions only: asked anonymously
    # An experience post's structured fields (``CareerMove.record`` keywords), or None.
    move: dict | None = None
    outcome: OutcomeEntry | None = None


@dataclass(frozen=True)
class Community:
    members: tuple[Member, ...]
    tags: tuple[TagEntry, ...]
    questions: tuple[PostEntry, ...]
    experiences: tuple[PostEntry, ...]
    start_here: tuple[StartHereEntry, ...] = ()

    @property
    def log_ins(self) -> list[Member]:
        return [member for member in self.members if member.password]


def read_community(path: Path = COMMUNITY_FILE) -> Community:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DemoDataError(f"{path}: cannot read the demo data file: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DemoDataError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return _Reader().community(_Entry(data, "the file"))
    except DemoDataError as exc:
        raise DemoDataError(f"{path}: {exc}") from None


class _Entry:
    """One table of the file: typed access to its keys, errors that say which entry."""

    def __init__(self, table, label: str):
        if not isinstance(table, dict):
            raise DemoDataError(f"{label}: expected a table, got {_describe(table)}.")
        self.table = table
        self.label = label
        self.read: set[str] = set()

    def error(self, message: str) -> DemoDataError:
        return DemoDataError(f"{self.label}: {message}")

    def _get(self, key: str, kind, default):
        self.read.add(key)
        if key not in self.table:
            if default is None:
                raise self.error(f"“{key}” is missing.")
            return default
        value = self.table[key]
        # bool is an int in Python, but `views = true` is a mistake, not 1.
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise self.error(f"“{key}” must be {_KIND_NAMES[kind]}, not {_describe(value)}.")
        return value

    def text(self, key: str, default: str | None = None) -> str:
        value = self._get(key, str, default).strip()
        if not value and default is None:
            raise self.error(f"“{key}” is empty.")
        return value

    def number(self, key: str, *, kind=(int, float)) -> float:
        value = self._get(key, kind, None)
        if value < 0:
            raise self.error(f"“{key}” cannot be negative ({value}).")
        return value

    def flag(self, key: str) -> bool:
        return self._get(key, bool, False)

    def optional_number(self, key: str) -> float | None:
        if key not in self.table:
            self.read.add(key)
            return None
        return self.number(key)

    def subtable(self, key: str, label: str) -> "_Entry | None":
        value = self._get(key, dict, {})
        return _Entry(value, label) if value else None

    def names(self, key: str) -> tuple[str, ...]:
        values = self._get(key, list, [])
        for value in values:
            if not isinstance(value, str):
                raise self.error(f"“{key}” must list names (strings), not {_describe(value)}.")
        repeated = sorted({value for value in values if values.count(value) > 1})
        if repeated:
            raise self.error(f"“{key}” names {', '.join(repeated)} more than once.")
        return tuple(values)

    def entries_table(self, key: str, label: str) -> "_Entry":
        return _Entry(self._get(key, dict, None), label)

    def entries(self, key: str, label: str) -> list["_Entry"]:
        values = self._get(key, list, [])
        return [_Entry(value, label.format(n=n)) for n, value in enumerate(values, start=1)]

    def done(self) -> None:
        unknown = sorted(set(self.table) - self.read)
        if unknown:
            raise self.error(f"unknown key(s) {', '.join(unknown)} (a typo?).")


_KIND_NAMES = {
    str: "text",
    bool: "true or false",
    list: "a list",
    int: "a whole number",
    dict: "a table",
}
_KIND_NAMES[(int, float)] = "a number"


def _role(entry: _Entry, key: str) -> str:
    role = entry.text(key, default="")
    if len(role) > MAX_ROLE_LENGTH:
        raise entry.error(f"“{key}” is longer than {MAX_ROLE_LENGTH} characters.")
    return role


def _years(entry: _Entry, key: str, *, kind=(int, float)):
    if key not in entry.table:
        entry.read.add(key)
        return None
    years = entry.number(key, kind=kind)
    if years > MAX_YEARS:
        raise entry.error(f"“{key}” is more than {MAX_YEARS}.")
    return years


def _choice(entry: _Entry, key: str, choices) -> str:
    value = entry.text(key, default="")
    if value and value not in choices.values:
        raise entry.error(f"“{key}” must be one of {', '.join(choices.values)}, not {value!r}.")
    return value


def _path(entry: _Entry, key: str) -> list[dict]:
    steps = entry._get(key, list, [])
    try:
        return clean_steps(steps)
    except ValidationError as exc:
        raise entry.error(f"“{key}”: {' '.join(exc.messages)}") from None


def _describe(value) -> str:
    return f"{type(value).__name__} {value!r}"[:80]


class _Reader:
    def __init__(self):
        self.usernames: set[str] = set()

    def community(self, root: _Entry) -> Community:
        members = tuple(self._member(entry) for entry in root.entries("members", "member {n}"))
        tags = tuple(self._tag(entry) for entry in root.entries("tags", "tag {n}"))
        questions = tuple(
            self._post(entry, with_answers=True)
            for entry in root.entries("questions", "question {n}")
        )
        experiences = tuple(
            self._post(entry, with_answers=False)
            for entry in root.entries("experiences", "experience post {n}")
        )
        start_here = tuple(
            self._start_here(entry, questions)
            for entry in root.entries("start_here", "start_here {n}")
        )
        root.done()
        self._check_tags_unique(tags)
        self._check_posts_unique(questions, "question")
        self._check_posts_unique(experiences, "experience post")
        self._check_start_here_unique(start_here)
        return Community(members, tags, questions, experiences, start_here)

    def _member(self, entry: _Entry) -> Member:
        username = entry.text("username")
        if username in self.usernames:
            raise entry.error(f"the username {username!r} is taken by an earlier member.")
        entry.label = f"member {username!r}"
        member = Member(
            username=username,
            name=entry.text("name"),
            headline=entry.text("headline"),
            bio=entry.text("bio"),
            password=entry.text("password", default=""),
            background=self._background(entry),
        )
        entry.done()
        self.usernames.add(username)
        return member

    def _background(self, member: _Entry) -> dict | None:
        if "background" not in member.table:
            return None
        entry = member.entries_table("background", f"{member.label}, background")
        background = {
            "current_role": _role(entry, "role"),
            "career_field": _role(entry, "field"),
            "years_experience": _years(entry, "years", kind=int),
            "highest_degree": _choice(entry, "degree", Degree),
            "company_size": _choice(entry, "company_size", CompanySize),
            "path_steps": _path(entry, "path"),
        }
        entry.done()
        return background

    def _move(self, post: _Entry) -> dict | None:
        if "move" not in post.table:
            return None
        entry = post.entries_table("move", f"{post.label}, move")
        move = {
            "from_role": _role(entry, "from"),
            "to_role": _role(entry, "to"),
            "years_taken": _years(entry, "years"),
            "size_before": _choice(entry, "size_before", CompanySize),
            "size_after": _choice(entry, "size_after", CompanySize),
            "decision": entry.text("decision", default=""),
            "steps": _path(entry, "steps"),
        }
        entry.done()
        if len(move["decision"]) > 200:
            raise entry.error("“decision” is longer than 200 characters.")
        if move["from_role"] and clean_role_text(move["from_role"]) == clean_role_text(
            move["to_role"]
        ):
            raise entry.error("“from” and “to” are the same role.")
        return move

    def _tag(self, entry: _Entry) -> TagEntry:
        name = entry.text("name")
        entry.label = f"tag {name!r}"
        tag = TagEntry(
            name=name, description=entry.text("description"), synonyms=entry.names("synonyms")
        )
        entry.done()
        for tag_name in (tag.name, *tag.synonyms):
            self._check_tag_names(entry, [tag_name])
        return tag

    def _post(self, entry: _Entry, *, with_answers: bool) -> PostEntry:
        title = entry.text("title")
        entry.label = f"{entry.label} “{title}”"
        if not TITLE_MIN <= len(title) <= TITLE_MAX:
            raise entry.error(
                f"the title has {len(title)} characters; "
                f"the ask form takes {TITLE_MIN} to {TITLE_MAX}."
            )
        author = self._username(entry, entry.text("author"))
        days_ago = entry.number("days_ago")
        tags = entry.names("tags")
        self._check_tag_names(entry, list(tags))
        views = entry.number("views", kind=int)
        body = self._body(entry)
        votes = self._votes(entry, author)
        comments = self._comments(entry, days_ago * 24)
        answers, anonymous, outcome = (), False, None
        if with_answers:  # an experience post's "anonymous" stays unread: an unknown key
            anonymous = entry.flag("anonymous")
            answers = tuple(
                self._answer(answer, days_ago)
                for answer in entry.entries("answers", entry.label + ", answer {n}")
            )
            self._check_answers(entry, answers)
            outcome = self._outcome(entry, author, days_ago, answers)
        move = None if with_answers else self._move(entry)
        entry.done()
        return PostEntry(
            title,
            author,
            days_ago,
            tags,
            views,
            body,
            votes,
            comments,
            answers,
            anonymous=anonymous,
            move=move,
            outcome=outcome,
        )

    def _outcome(
        self, entry: _Entry, asker: str, question_days_ago: float, answers
    ) -> OutcomeEntry | None:
        outcome_entry = entry.subtable("outcome", entry.label + ", outcome")
        if outcome_entry is None:
            return None
        author = self._username(outcome_entry, outcome_entry.text("author"))
        accepted = [answer.author for answer in answers if answer.accepted]
        if author != asker and author not in accepted:
            raise outcome_entry.error(
                f"{author} neither asked the question nor wrote its accepted answer."
            )
        days_ago = outcome_entry.number("days_ago")
        if days_ago >= question_days_ago:
            raise outcome_entry.error("days_ago must be after the question was asked.")
        body = outcome_entry.text("body")
        if not OUTCOME_MIN <= len(body) <= OUTCOME_MAX:
            raise outcome_entry.error(
                f"the body has {len(body)} characters; outcomes take {OUTCOME_MIN} to "
                f"{OUTCOME_MAX}."
            )
        outcome_entry.done()
        return OutcomeEntry(author, days_ago, body + "\n")

    def _start_here(self, entry: _Entry, questions) -> StartHereEntry:
        tag, title, author = entry.text("tag"), entry.text("question"), entry.text("answer")
        entry.label = f"start_here for {tag!r}"
        entry.done()
        question = next((post for post in questions if post.title == title), None)
        if question is None:
            raise entry.error(f"no question is titled “{title}”.")
        if tag not in question.tags:
            raise entry.error(f"“{title}” is not tagged {tag}.")
        if author not in {answer.author for answer in question.answers}:
            raise entry.error(f"{author} has no answer to “{title}”.")
        return StartHereEntry(tag, title, author)

    def _answer(self, entry: _Entry, question_days_ago: float) -> AnswerEntry:
        author = self._username(entry, entry.text("author"))
        entry.label = f"{entry.label} (by {author})"
        days_after = entry.number("days_after")
        age_hours = (question_days_ago - days_after) * 24 - ANSWER_HOUR
        if age_hours < 0:
            raise entry.error(
                f"days_after = {days_after} puts it in the future: its question is "
                f"{question_days_ago} days old and answers come {ANSWER_HOUR} hours into the day."
            )
        confirmed = entry.optional_number("confirmed_days_ago")
        if confirmed is not None and confirmed * 24 > age_hours:
            raise entry.error("confirmed_days_ago must be after the answer was written.")
        answer = AnswerEntry(
            author=author,
            days_after=days_after,
            body=self._body(entry),
            accepted=entry.flag("accepted"),
            votes=self._votes(entry, author),
            comments=self._comments(entry, age_hours),
            confirmed_days_ago=confirmed,
        )
        entry.done()
        return answer

    def _body(self, entry: _Entry) -> str:
        body = entry.text("body")
        if not BODY_MIN <= len(body) <= BODY_MAX:
            raise entry.error(
                f"the body has {len(body)} characters; posts take {BODY_MIN} to {BODY_MAX}."
            )
        return body + "\n"

    def _votes(self, entry: _Entry, author: str) -> tuple[str, ...]:
        votes = entry.names("votes")
        for voter in votes:
            self._username(entry, voter)
        if author in votes:
            raise entry.error(f"{author} votes on their own post; nobody can.")
        return votes

    def _comments(self, entry: _Entry, post_age_hours: float) -> tuple[CommentEntry, ...]:
        comments = []
        for comment in entry.entries("comments", entry.label + ", comment {n}"):
            author = self._username(comment, comment.text("author"))
            body = comment.text("body")
            comment.done()
            if not COMMENT_MIN <= len(body) <= COMMENT_MAX:
                raise comment.error(
                    f"the comment has {len(body)} characters; "
                    f"comments take {COMMENT_MIN} to {COMMENT_MAX}."
                )
            comments.append(CommentEntry(author, body))
        if len(comments) * COMMENT_HOURS > post_age_hours:
            raise entry.error(
                f"{len(comments)} comments, {COMMENT_HOURS} hours apart, run past today; "
                "make the post older or drop a comment."
            )
        return tuple(comments)

    def _username(self, entry: _Entry, username: str) -> str:
        if username not in self.usernames:
            raise entry.error(f"{username!r} is not a member (add a [[members]] entry).")
        return username

    @staticmethod
    def _check_tag_names(entry: _Entry, names: list[str]) -> None:
        try:
            validate_tag_names(names)
        except ValidationError as exc:
            raise entry.error(" ".join(exc.messages)) from None

    @staticmethod
    def _check_answers(entry: _Entry, answers: tuple[AnswerEntry, ...]) -> None:
        authors = [answer.author for answer in answers]
        repeated = sorted({author for author in authors if authors.count(author) > 1})
        if repeated:
            raise entry.error(f"{', '.join(repeated)} answers more than once; one answer each.")
        if sum(answer.accepted for answer in answers) > 1:
            raise entry.error("more than one answer is accepted; at most one can be.")

    @staticmethod
    def _check_tags_unique(tags: tuple[TagEntry, ...]) -> None:
        seen: set[str] = set()
        for tag in tags:
            for name in (tag.name, *tag.synonyms):
                if name in seen:
                    raise DemoDataError(f"tag {tag.name!r}: {name!r} is listed twice.")
                seen.add(name)

    @staticmethod
    def _check_start_here_unique(entries: tuple[StartHereEntry, ...]) -> None:
        tags = [entry.tag for entry in entries]
        repeated = sorted({tag for tag in tags if tags.count(tag) > 1})
        if repeated:
            raise DemoDataError(f"start_here: one answer per tag; {', '.join(repeated)} twice.")

    @staticmethod
    def _check_posts_unique(posts: tuple[PostEntry, ...], kind: str) -> None:
        # load_demo finds an existing post by author and title: two alike would merge.
        seen: set[tuple[str, str]] = set()
        for post in posts:
            if (post.author, post.title) in seen:
                raise DemoDataError(f"{kind} “{post.title}” by {post.author} is listed twice.")
            seen.add((post.author, post.title))
