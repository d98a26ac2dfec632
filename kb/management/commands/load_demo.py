"""Load the demo community: members, ~20 questions with answers, comments, votes and accepted
answers, experience posts, tag descriptions and synonyms (text in kb/demo_content.py).

Idempotent: every member, post, vote and comment is looked up before it is created, so a
second run creates nothing. ``--if-empty`` does nothing when any post exists (``make run``
calls it on every start); ``--dry-run`` shows what would be created and rolls back.

Search indexing is left to ``rebuild_index`` (``make run`` runs it next); posts created
here are also handed to ``schedule_reindex`` for an index that already exists.
"""

from collections import Counter
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from taggit.models import Tag

from kb import demo_content as content
from kb.cache import bump_content_version
from kb.models import Comment, Post, TagInfo, TagSynonym, Vote
from kb.search import schedule_reindex
from kb.tags import get_or_create_tags, resolve_synonyms

User = get_user_model()

# Reputation per upvote and per accepted answer (DESIGN.md, "Data model").
VOTE_REPUTATION = {Post.Kind.QUESTION: 5, Post.Kind.ANSWER: 10, Post.Kind.EXPERIENCE: 10}
ACCEPT_REPUTATION = 15


class DemoLoader:
    def __init__(self, now=None):
        self.now = now or timezone.now()
        self.users: dict[str, User] = {}
        self.created = Counter()
        self.created_post_ids: list[int] = []

    def load(self) -> Counter:
        self._load_users()
        self._load_synonyms()
        self._load_tag_descriptions()
        for spec in content.QUESTIONS:
            self._load_question(spec)
        for spec in content.EXPERIENCES:
            self._load_experience(spec)
        return self.created

    # -- members, tags ------------------------------------------------------------------

    def _load_users(self):
        joined = self.now - timedelta(days=200)
        for username, display_name, headline, bio in content.USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(
                    username=username,
                    email=f"{username}@demo.careerkb.invalid",
                    display_name=display_name,
                    headline=headline,
                    bio=bio,
                    date_joined=joined,
                )
                if username == content.DEMO_USERNAME:
                    user.set_password(content.DEMO_PASSWORD)
                else:
                    user.set_unusable_password()
                user.save()
                self.created["members"] += 1
            self.users[username] = user

    def _load_synonyms(self):
        for source, target_name in content.SYNONYMS:
            if TagSynonym.objects.filter(source=source).exists():
                continue
            target = get_or_create_tags([target_name])[0]
            synonym = TagSynonym.objects.create(source=source, target=target)
            synonym.retag_existing_posts()
            self.created["synonyms"] += 1

    def _load_tag_descriptions(self):
        for tag in get_or_create_tags(content.TAG_DESCRIPTIONS):
            _, created = TagInfo.objects.get_or_create(
                tag=tag, defaults={"description": content.TAG_DESCRIPTIONS[tag.name]}
            )
            self.created["tag descriptions"] += created

    def _tags(self, names) -> list[Tag]:
        return get_or_create_tags(resolve_synonyms(names))

    # -- posts ---------------------------------------------------------------------------

    def _days_ago(self, days: float):
        return self.now - timedelta(days=days)

    def _load_question(self, spec):
        question = self._top_level_post(Post.Kind.QUESTION, spec)
        for answer_spec in spec["answers"]:
            self._load_answer(question, answer_spec)

    def _load_experience(self, spec):
        self._top_level_post(Post.Kind.EXPERIENCE, spec)

    def _top_level_post(self, kind, spec) -> Post:
        author = self.users[spec["author"]]
        post = Post.objects.filter(kind=kind, author=author, title=spec["title"]).first()
        if post is None:
            created_at = self._days_ago(spec["days_ago"])
            post = Post.objects.create(
                kind=kind,
                author=author,
                title=spec["title"],
                body=spec["body"],
                view_count=spec.get("views", 0),
                created_at=created_at,
                last_activity_at=created_at,
            )
            post.tags.set(self._tags(spec["tags"]))
            self._count_new_post(post)
        self._load_votes(post, spec.get("votes", []))
        self._load_comments(post, spec.get("comments", []))
        return post

    def _load_answer(self, question, spec):
        author = self.users[spec["author"]]
        answer = question.answers.filter(author=author).first()
        if answer is None:
            created_at = question.created_at + timedelta(days=spec["after"], hours=3)
            answer = Post.objects.create(
                kind=Post.Kind.ANSWER,
                parent=question,
                author=author,
                body=spec["body"],
                created_at=created_at,
                last_activity_at=created_at,
            )
            Post.objects.filter(pk=question.pk).update(
                answer_count=F("answer_count") + 1,
                last_activity_at=created_at,
            )
            self._count_new_post(answer)
        self._load_votes(answer, spec.get("votes", []))
        self._load_comments(answer, spec.get("comments", []))
        if spec.get("accepted"):
            self._accept(question, answer)

    def _count_new_post(self, post):
        self.created[post.get_kind_display().lower() + "s"] += 1
        self.created_post_ids.append(post.pk)

    # -- votes, accepts, comments --------------------------------------------------------

    def _load_votes(self, post, usernames):
        for username in usernames:
            voter = self.users[username]
            if voter.pk == post.author_id:
                continue  # nobody votes on their own post
            if Vote.objects.filter(post=post, user=voter).exists():
                continue
            self._cast_vote(post, voter)
            self.created["votes"] += 1

    def _cast_vote(self, post, voter):
        if hasattr(post, "toggle_vote"):  # the Q&A domain method; no vote exists yet here
            post.toggle_vote(voter)
            return
        Vote.objects.create(post=post, user=voter, value=1)
        Post.objects.filter(pk=post.pk).update(score=F("score") + 1)
        User.objects.filter(pk=post.author_id).update(
            reputation=F("reputation") + VOTE_REPUTATION[post.kind]
        )

    def _accept(self, question, answer):
        question.refresh_from_db(fields=["accepted_answer"])
        if question.accepted_answer_id is not None:
            return
        if hasattr(question, "accept"):  # the Q&A domain method
            activity = Post.objects.values_list("last_activity_at", flat=True).get(pk=question.pk)
            question.accept(answer, by=question.author)
            # Accepting counts as activity "now"; the demo keeps its spread of dates.
            Post.objects.filter(pk=question.pk).update(last_activity_at=activity)
        else:
            Post.objects.filter(pk=question.pk).update(accepted_answer=answer)
            User.objects.filter(pk=answer.author_id).update(
                reputation=F("reputation") + ACCEPT_REPUTATION
            )
        self.created["accepted answers"] += 1

    def _load_comments(self, post, comments):
        for number, (username, body) in enumerate(comments, start=1):
            author = self.users[username]
            if Comment.objects.filter(post=post, author=author, body=body).exists():
                continue
            Comment.objects.create(
                post=post,
                author=author,
                body=body,
                created_at=post.created_at + timedelta(hours=5 * number),
            )
            Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
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

    def handle(self, *args, if_empty=False, dry_run=False, **options):
        if if_empty and Post.objects.exists():
            self.stdout.write("The database has posts already; demo content not loaded.")
            return
        loader = DemoLoader()
        with transaction.atomic():
            created = loader.load()
            if dry_run:
                transaction.set_rollback(True)
        if not dry_run and loader.created_post_ids:
            schedule_reindex(*loader.created_post_ids)
        if not dry_run and +created:
            bump_content_version()
        self._report(created, dry_run)

    def _report(self, created, dry_run):
        created = +created  # drop the zero counts
        if not created:
            self.stdout.write("Demo content is loaded already; nothing new created.")
        else:
            verb = "Would create" if dry_run else "Created"
            parts = ", ".join(f"{count} {what}" for what, count in created.items())
            self.stdout.write(self.style.SUCCESS(f"{verb} {parts}."))
        self.stdout.write(
            f"Demo log-in: username {content.DEMO_USERNAME!r}, password {content.DEMO_PASSWORD!r}."
        )
