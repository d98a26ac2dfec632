"""Load the demo community: members, ~20 questions with answers, comments, votes and accepted
answers, outcomes, experience posts, tag descriptions, synonyms and start-here answers (text
in kb/demo/community.toml).

The file is read and checked first; a bad entry stops the command with a message naming it,
before anything is written. Posts, answers, votes, accepts and comments then go through the
domain methods (``Post.publish``, ``add_answer``, ``toggle_vote``, ``accept``,
``add_comment``), so counters, reputation, rendering and re-indexing follow the same rules as
on the site; only the dates are moved back afterwards, so the demo looks lived in.

Idempotent: every member, post, vote and comment is looked up before it is created, so a
second run creates nothing. ``--if-empty`` does nothing when any post exists (``make run``
calls it on every start); ``--dry-run`` shows what would be created and rolls back.
"""

import textwrap
from collections import Counter
from datetime import timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from taggit.models import Tag

from kb.demo import (
    ANSWER_HOUR,
    COMMENT_HOURS,
    COMMUNITY_FILE,
    AnswerEntry,
    CommentEntry,
    Community,
    DemoDataError,
    OutcomeEntry,
    PostEntry,
    StartHereEntry,
    read_community,
)
from kb.models import (
    CanonicalAnswer,
    CareerMove,
    Comment,
    Outcome,
    Post,
    TagInfo,
    TagSynonym,
    Vote,
)
from kb.tags import get_or_create_tags

User = get_user_model()
MEMBERS_JOINED_DAYS_AGO = 200


class DemoLoader:
    def __init__(self, community: Community, now=None):
        self.community = community
        self.now = now or timezone.now()
        self.users: dict[str, User] = {}
        self.created = Counter()

    def load(self) -> Counter:
        self._load_members()
        self._load_tags()
        for entry in self.community.questions:
            question = self._top_level_post(Post.Kind.QUESTION, entry)
            for answer_entry in entry.answers:
                self._load_answer(question, answer_entry)
            if entry.outcome:
                self._load_outcome(question, entry.outcome)
        for entry in self.community.experiences:
            post = self._top_level_post(Post.Kind.EXPERIENCE, entry)
            self._load_move(post, entry)
        for entry in self.community.start_here:
            self._load_start_here(entry)
        return self.created

    # -- members, tags ------------------------------------------------------------------

    def _load_members(self):
        for member in self.community.members:
            user = User.objects.filter(username=member.username).first()
            if user is None:
                user = User.objects.create_user(
                    username=member.username,
                    email=f"{member.username}@demo.careerkb.invalid",
                    password=member.password or None,  # None: no usable password
                    display_name=member.name,
                    headline=member.headline,
                    bio=member.bio,
                    date_joined=self.now - timedelta(days=MEMBERS_JOINED_DAYS_AGO),
                )
                self.created["members"] += 1
            self._load_background(user, member.background)
            self.users[member.username] = user

    def _load_background(self, user, background: dict | None):
        """Only onto a member without one: a background changed on the site is kept."""
        if not background or user.background_summary or user.path_steps:
            return
        for name, value in background.items():
            setattr(user, name, value)
        user.save()
        self.created["backgrounds"] += 1

    def _load_move(self, post: Post, entry: PostEntry):
        if entry.move and not CareerMove.objects.filter(post=post).exists():
            CareerMove.record(post, **entry.move)
            self.created["career moves"] += 1

    def _load_tags(self):
        for entry in self.community.tags:
            tag = get_or_create_tags([entry.name])[0]
            _, created = TagInfo.objects.get_or_create(
                tag=tag, defaults={"description": entry.description}
            )
            self.created["tag descriptions"] += created
            for source in entry.synonyms:
                if TagSynonym.objects.filter(source=source).exists():
                    continue
                TagSynonym.objects.create(source=source, target=tag).retag_existing_posts()
                self.created["synonyms"] += 1

    # -- posts ---------------------------------------------------------------------------

    def _top_level_post(self, kind, entry: PostEntry) -> Post:
        author = self.users[entry.author]
        post = Post.objects.filter(kind=kind, author=author, title=entry.title).first()
        if post is None:
            post = Post.publish(
                author,
                kind=kind,
                title=entry.title,
                body=entry.body,
                tags=list(entry.tags),
                anonymous=entry.anonymous,
            )
            created_at = self.now - timedelta(days=entry.days_ago)
            self._set(
                post, created_at=created_at, last_activity_at=created_at, view_count=entry.views
            )
            self._count_new_post(post)
        self._load_votes(post, entry.votes)
        self._load_comments(post, entry.comments)
        return post

    def _load_answer(self, question: Post, entry: AnswerEntry):
        author = self.users[entry.author]
        answer = question.answers.filter(author=author).first()
        if answer is None:
            answer = question.add_answer(author, entry.body)
            created_at = question.created_at + timedelta(days=entry.days_after, hours=ANSWER_HOUR)
            self._set(answer, created_at=created_at, last_activity_at=created_at)
            self._set(question, last_activity_at=created_at)
            self._count_new_post(answer)
        self._load_votes(answer, entry.votes)
        self._load_comments(answer, entry.comments)
        if entry.accepted:
            self._accept(question, answer)
        if entry.confirmed_days_ago is not None and answer.confirmed_at is None:
            self._set(answer, confirmed_at=self.now - timedelta(days=entry.confirmed_days_ago))
            self.created["re-confirmed answers"] += 1

    @staticmethod
    def _set(post: Post, **fields):
        """The domain stamps everything "now"; the demo spreads its history over months."""
        Post.objects.filter(pk=post.pk).update(**fields)
        for name, value in fields.items():
            setattr(post, name, value)

    def _count_new_post(self, post: Post):
        self.created[post.get_kind_display().lower() + "s"] += 1

    # -- votes, accepts, comments --------------------------------------------------------

    def _load_votes(self, post: Post, usernames):
        for username in usernames:
            voter = self.users[username]
            if not Vote.objects.filter(post=post, user=voter).exists():
                post.toggle_vote(voter)
                self.created["votes"] += 1

    def _accept(self, question: Post, answer: Post):
        question.refresh_from_db(fields=["accepted_answer", "last_activity_at"])
        if question.accepted_answer_id is not None:
            return
        activity = question.last_activity_at
        question.accept(answer, by=question.author)
        # Accepting counts as activity "now"; the demo keeps its spread of dates, and the
        # asker accepted a day after the answer (the outcome reminder counts from then).
        accepted_at = min(answer.created_at + timedelta(days=1), self.now)
        self._set(question, last_activity_at=activity, accepted_at=accepted_at)
        self.created["accepted answers"] += 1

    # -- outcomes, start-here answers ----------------------------------------------------

    def _load_outcome(self, question: Post, entry: OutcomeEntry):
        if Outcome.objects.filter(question=question).exists():
            return
        question.refresh_from_db()
        author = self.users[entry.author]
        if author.pk != question.author_id and not question.outcome_by_answerer:
            question.allow_outcome_by_answerer(True, by=question.author)
        outcome = question.add_outcome(author, entry.body)
        reported_at = self.now - timedelta(days=entry.days_ago)
        Outcome.objects.filter(pk=outcome.pk).update(created_at=reported_at)
        self._set(question, outcome_reported_at=reported_at)
        self.created["outcomes"] += 1

    def _load_start_here(self, entry: StartHereEntry):
        tag = Tag.objects.get(name=entry.tag)
        if CanonicalAnswer.objects.filter(tag=tag).exists():
            return
        question = Post.objects.questions().get(title=entry.question)
        answer = question.answers.get(author=self.users[entry.answer])
        answer.mark_canonical(tag, by=None)  # the demo's own choice: no member marked it
        self.created["start-here answers"] += 1

    def _load_comments(self, post: Post, comments: tuple[CommentEntry, ...]):
        for number, entry in enumerate(comments, start=1):
            author = self.users[entry.author]
            if Comment.objects.filter(post=post, author=author, body=entry.body).exists():
                continue
            comment = post.add_comment(author, entry.body)
            created_at = post.created_at + timedelta(hours=COMMENT_HOURS * number)
            Comment.objects.filter(pk=comment.pk).update(created_at=created_at)
            self.created["comments"] += 1


class Command(BaseCommand):
    help = "Create the demo community (members, questions, answers, votes, experience posts)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has posts.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be created, then roll back."
        )
        parser.add_argument(
            "--file",
            type=Path,
            default=COMMUNITY_FILE,
            help="The demo data file (default: kb/demo/community.toml).",
        )

    def handle(self, *args, if_empty=False, dry_run=False, file=COMMUNITY_FILE, **options):
        if if_empty and Post.objects.exists():
            self.stdout.write("The database has posts already; demo content not loaded.")
            return
        try:
            community = read_community(file)
        except DemoDataError as exc:
            raise CommandError(f"Demo content not loaded: {exc}") from exc
        with transaction.atomic():
            created = DemoLoader(community).load()
            if dry_run:
                transaction.set_rollback(True)
        self._report(created, community, dry_run)

    def _report(self, created, community: Community, dry_run):
        created = +created  # drop the zero counts
        if not created:
            self.stdout.write("Demo content is loaded already; nothing new created.")
        else:
            verb = "Would create" if dry_run else "Created"
            parts = ", ".join(_counted(count, what) for what, count in created.items())
            # Wrapped: the report grows with the demo's kinds of content.
            report = textwrap.wrap(f"{verb} {parts}.", width=100, subsequent_indent="  ")
            self.stdout.write(self.style.SUCCESS("\n".join(report)))
        for member in community.log_ins:
            self.stdout.write(
                f"Demo log-in: username {member.username!r}, password {member.password!r}."
            )


def _counted(count: int, plural: str) -> str:
    """ "3 outcomes", "1 outcome": every name the loader counts is a plural in -s."""
    return f"{count} {plural[:-1] if count == 1 else plural}"
