"""Small factories for tests: real rows through the models' own save()."""

import itertools

from accounts.models import User
from kb.models import Comment, Post

_counter = itertools.count(1)
PASSWORD = "a-Strong-passw0rd"


def make_user(username=None, **fields) -> User:
    username = username or f"user{next(_counter)}"
    fields.setdefault("email", f"{username}@example.com")
    return User.objects.create_user(username=username, password=PASSWORD, **fields)


def make_question(author=None, title=None, body=None, tags=(), **fields) -> Post:
    number = next(_counter)
    post = Post.objects.create(
        kind=Post.Kind.QUESTION,
        author=author or make_user(),
        title=title or f"How do I move into computer vision, case {number}?",
        body=body or "I studied mechanical engineering and want to work on perception systems.",
        **fields,
    )
    if tags:
        post.tags.add(*tags)
    return post


def make_answer(question, author=None, body=None, **fields) -> Post:
    answer = Post.objects.create(
        kind=Post.Kind.ANSWER,
        parent=question,
        author=author or make_user(),
        body=body or "Build two small projects end to end and write up what you measured.",
        **fields,
    )
    Post.objects.filter(pk=question.pk).update(answer_count=question.answers.visible().count())
    return answer


def make_experience(author=None, title=None, body=None, tags=(), **fields) -> Post:
    number = next(_counter)
    post = Post.objects.create(
        kind=Post.Kind.EXPERIENCE,
        author=author or make_user(),
        title=title or f"How I moved from mechanical engineering to perception, part {number}",
        body=body or "A long story about self-study, a portfolio and three interviews.",
        **fields,
    )
    if tags:
        post.tags.add(*tags)
    return post


def make_comment(post, author=None, body=None) -> Comment:
    return Comment.objects.create(
        post=post, author=author or make_user(), body=body or "Thanks, this is really useful."
    )
