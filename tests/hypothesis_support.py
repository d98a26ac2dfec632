"""Shared pieces of the property tests: example counts, strategies, database snapshots."""

from __future__ import annotations

import os
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import settings
from hypothesis import strategies as st
from taggit.models import Tag, TaggedItem

from kb.models import Comment, Post, PostLink, Revision, Vote

EXPLORE = os.environ.get("HYPOTHESIS_PROFILE") == "explore"


def examples(count: int) -> settings:
    """``count`` examples per run (the numbers the issue note reports); ten times more when
    exploring."""
    return settings(max_examples=count * 10 if EXPLORE else count)


@contextmanager
def rolled_back():
    """One example's database work, undone afterwards: examples never see each other."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def database_state() -> tuple:
    """Everything a form or an import can write, to prove a refused request wrote nothing."""
    User = get_user_model()
    return (
        list(Post.objects.order_by("pk").values_list("pk", "title", "body", "is_deleted")),
        list(Comment.objects.order_by("pk").values_list("pk", "body")),
        list(
            User.objects.order_by("pk").values_list(
                "pk", "username", "email", "display_name", "headline", "bio", "password"
            )
        ),
        Revision.objects.count(),
        Vote.objects.count(),
        PostLink.objects.count(),
        sorted(Tag.objects.values_list("name", flat=True)),
        TaggedItem.objects.count(),
    )


# Text a person can type or paste (no lone surrogates: a browser cannot send them),
# control characters and all.
typed_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200)

odd_strings = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\ud800",
        "[deleted]",
        "&amp;lt;",
        "javascript:alert(1)",
        "/r/x/comments/y/",
        "https://example.com/",
        "1e999",
        "9" * 40,
        "2020-01-01T00:00:00",
    ]
)
_numbers = st.one_of(
    st.integers(),
    st.sampled_from([2**31 - 1, 2**31, -(2**31) - 1, 2**63, 10**40]),
    st.floats(allow_nan=True, allow_infinity=True),
)
json_scalars = st.one_of(st.none(), st.booleans(), _numbers, st.text(max_size=40), odd_strings)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
