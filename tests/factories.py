"""Small factories for tests: data made through the domain methods, as the site makes it.

Questions and experience posts are published with ``Post.publish``, answers added with
``add_answer`` and comments with ``add_comment`` (so answer and comment counts are kept
by the domain, not recounted here); ``is_deleted=True`` goes through ``soft_delete`` and
``score=N`` through N members' ``toggle_vote``. Dates and the view count are the only
fields set directly: a test may need a post from last week, or one read 1,234 times,
which no domain method makes.
"""

import itertools

from accounts.models import User
from kb.models import Comment, Post

_counter = itertools.count(1)
PASSWORD = "a-Strong-passw0rd"
_SET_DIRECTLY = {"created_at", "edited_at", "last_activity_at", "view_count"}


def signup_form(**fields) -> dict:
    """The sign-up form filled in for a new member, "maya" (``fields`` change some)."""
    password = "correct-Horse-battery-9"
    form = {"username": "maya", "email": "maya@example.com", "display_name": "Maya P."}
    return form | {"password1": password, "password2": password} | fields


def make_user(username=None, **fields) -> User:
    username = username or f"user{next(_counter)}"
    fields.setdefault("email", f"{username}@example.com")
    return User.objects.create_user(username=username, password=PASSWORD, **fields)


def make_question(author=None, title=None, body=None, tags=(), anonymous=False, **fields) -> Post:
    number = next(_counter)
    return _publish(
        Post.Kind.QUESTION,
        author,
        title or f"How do I move into computer vision, case {number}?",
        body or "I studied mechanical engineering and want to work on perception systems.",
        tags,
        fields,
        anonymous=anonymous,
    )


def make_experience(author=None, title=None, body=None, tags=(), **fields) -> Post:
    number = next(_counter)
    return _publish(
        Post.Kind.EXPERIENCE,
        author,
        title or f"How I moved from mechanical engineering to perception, part {number}",
        body or "A long story about self-study, a portfolio and three interviews.",
        tags,
        fields,
    )


def make_answer(question, author=None, body=None, **fields) -> Post:
    answer = question.add_answer(
        author or make_user(),
        body or "Build two small projects end to end and write up what you measured.",
    )
    return _finish(answer, fields)


def make_comment(post, author=None, body=None) -> Comment:
    return post.add_comment(author or make_user(), body or "Thanks, this is really useful.")


def _publish(kind, author, title, body, tags, fields, anonymous=False) -> Post:
    names = [getattr(tag, "name", tag) for tag in tags]  # names or Tag rows
    post = Post.publish(
        author or make_user(), kind=kind, title=title, body=body, tags=names, anonymous=anonymous
    )
    return _finish(post, fields)


def _finish(post: Post, fields: dict) -> Post:
    """Apply a factory's extra fields: votes, deletion, dates (anything else is refused)."""
    unknown = set(fields) - _SET_DIRECTLY - {"score", "is_deleted"}
    if unknown:
        raise TypeError(f"The factories cannot set {sorted(unknown)} directly.")
    for _ in range(fields.pop("score", 0)):
        post.toggle_vote(make_user())
    if fields.pop("is_deleted", False):
        post.soft_delete(by=post.author)
    if fields:
        Post.objects.filter(pk=post.pk).update(**fields)
    post.refresh_from_db()
    return post
