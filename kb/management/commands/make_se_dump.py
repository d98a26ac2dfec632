"""Write a synthetic Stack Exchange data dump, for benchmarking ``import_stackexchange``.

    manage.py make_se_dump /tmp/se-50k --posts 50000 [--seed 1]

One question in three posts, the rest answers (a third of the questions accept one),
about one comment per post, a user per 20 posts, a duplicate or related link per 25
questions; the files follow the real format (byte-order mark, one row per line, HTML
bodies, ``|a|b|`` tags). Not used by the tests, which read real samples.
"""

import random
from datetime import datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr

from django.core.management.base import BaseCommand

WORDS = [
    "career",
    "salary",
    "interview",
    "manager",
    "offer",
    "remote",
    "team",
    "promotion",
    "skills",
    "resume",
    "engineer",
    "negotiation",
    "feedback",
    "mentor",
    "startup",
    "contract",
    "deadline",
    "review",
    "project",
    "colleague",
    "role",
    "switch",
    "layoff",
    "hiring",
    "referral",
    "portfolio",
    "onboarding",
    "burnout",
    "culture",
    "office",
    "growth",
]
TAGS = [f"topic-{n}" for n in range(200)]
START = datetime(2015, 1, 1)


class Command(BaseCommand):
    help = "Write a synthetic Stack Exchange dump (Posts, Comments, Users, Tags, PostLinks)."

    def add_arguments(self, parser):
        parser.add_argument("dir")
        parser.add_argument("--posts", type=int, default=50_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options):
        folder = Path(options["dir"])
        folder.mkdir(parents=True, exist_ok=True)
        rng = random.Random(options["seed"])
        n_posts = options["posts"]
        n_users = max(n_posts // 20, 1)
        questions = self._write_posts(folder, rng, n_posts, n_users)
        self._write_comments(folder, rng, n_posts, n_users)
        self._write_users(folder, n_users)
        self._write_links(folder, rng, questions)
        self._write_tags(folder)
        self.stdout.write(f"Wrote {n_posts} posts ({len(questions)} questions) to {folder}")

    def _write_posts(self, folder, rng, n_posts, n_users):
        questions: list[int] = []
        with _Writer(folder / "Posts.xml", "posts") as out:
            for post_id in range(1, n_posts + 1):
                when = _date(START + timedelta(minutes=post_id * 7))
                attrs = {
                    "Id": post_id,
                    "CreationDate": when,
                    "Score": rng.randint(-2, 40),
                    "Body": _body(rng),
                    "OwnerUserId": rng.randint(1, n_users),
                    "LastActivityDate": when,
                }
                if post_id % 3 == 1 or not questions:
                    questions.append(post_id)
                    tags = rng.sample(TAGS, rng.randint(1, 4))
                    attrs.update(
                        PostTypeId=1,
                        Title=" ".join(rng.choices(WORDS, k=8)).capitalize() + "?",
                        Tags="|" + "|".join(tags) + "|",
                        ViewCount=rng.randint(10, 5000),
                    )
                    if post_id % 9 == 1 and post_id + 1 <= n_posts:
                        attrs["AcceptedAnswerId"] = post_id + 1
                else:
                    attrs.update(PostTypeId=2, ParentId=questions[-1])
                out.row(attrs)
        return questions

    def _write_comments(self, folder, rng, n_posts, n_users):
        with _Writer(folder / "Comments.xml", "comments") as out:
            for comment_id in range(1, n_posts + 1):
                out.row(
                    {
                        "Id": comment_id,
                        "PostId": rng.randint(1, n_posts),
                        "Score": rng.randint(0, 5),
                        "Text": " ".join(rng.choices(WORDS, k=15)),
                        "CreationDate": _date(START + timedelta(minutes=comment_id * 7 + 3)),
                        "UserId": rng.randint(1, n_users),
                    }
                )

    def _write_users(self, folder, n_users):
        with _Writer(folder / "Users.xml", "users") as out:
            for user_id in range(1, n_users + 1):
                out.row(
                    {
                        "Id": user_id,
                        "Reputation": 1,
                        "CreationDate": _date(START),
                        "DisplayName": f"Member {user_id}",
                    }
                )

    def _write_links(self, folder, rng, questions):
        with _Writer(folder / "PostLinks.xml", "postlinks") as out:
            for link_id, question in enumerate(questions[25::25], start=1):
                out.row(
                    {
                        "Id": link_id,
                        "CreationDate": _date(START),
                        "PostId": question,
                        "RelatedPostId": rng.choice(questions[: questions.index(question)]),
                        "LinkTypeId": rng.choice([1, 3]),
                    }
                )

    def _write_tags(self, folder):
        with _Writer(folder / "Tags.xml", "tags") as out:
            for tag_id, name in enumerate(TAGS, start=1):
                out.row({"Id": tag_id, "TagName": name, "Count": 0})


class _Writer:
    def __init__(self, path: Path, root: str):
        self.path = path
        self.root = root

    def __enter__(self):
        self.handle = self.path.open("w", encoding="utf-8", newline="\n")
        self.handle.write(f'\ufeff<?xml version="1.0" encoding="utf-8"?>\n<{self.root}>\n')
        return self

    def row(self, attrs: dict) -> None:
        parts = " ".join(f"{key}={quoteattr(str(value))}" for key, value in attrs.items())
        self.handle.write(f"  <row {parts} />\n")

    def __exit__(self, *exc):
        self.handle.write(f"</{self.root}>\n")
        self.handle.close()


def _date(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000")


def _body(rng) -> str:
    paragraphs = [" ".join(rng.choices(WORDS, k=rng.randint(20, 60))) for _ in range(3)]
    return "".join(f"<p>{text}</p>\n" for text in paragraphs) + "<ul><li>one</li><li>two</li></ul>"
