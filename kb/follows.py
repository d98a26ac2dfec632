"""Reading what a member follows or bookmarked: one query per page that shows it, and on the
question page none once the member's state for that question is cached."""

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.signals import post_delete, post_save

from kb import notifications
from kb.cache import cached_fragment
from kb.inbox_models import Bookmark, QuestionFollow, TagFollow
from kb.models import Post

# As long as the bell's count: a cache shared by every web process (README, KB_CACHE_URL)
# forgets a state the moment it changes; this bounds how stale a per-process one can be.
STATE_CACHE_SECONDS = notifications.UNREAD_CACHE_SECONDS


def _state_key(user_id: int, question_id: int) -> str:
    return f"kb:follow-state:{user_id}:{question_id}"


def follow_and_bookmark_state(user, question: Post) -> dict:
    """``{"following": bool, "bookmarked": bool}`` for the question page.

    Cached per member and question until one of those rows changes (``connect``): building
    the query costs more than running it, on the page members open most.
    """
    key = _state_key(user.pk, question.pk)
    state = cache.get(key)
    if state is None:
        state = _query_state(user, question)
        cache.set(key, state, STATE_CACHE_SECONDS)
    return state


def _query_state(user, question: Post) -> dict:
    """The same query counts the bell's unread notifications and leaves the number in the
    bell's cache, so the question page keeps one query for all the member's state."""
    unread = notifications.unread_queryset(user).order_by().values("recipient")
    state = (
        Post.objects.filter(pk=question.pk)
        .annotate(
            following=Exists(QuestionFollow.objects.filter(user=user, question=OuterRef("pk"))),
            bookmarked=Exists(Bookmark.objects.filter(user=user, question=OuterRef("pk"))),
            unread=Subquery(unread.annotate(n=Count("id")).values("n")),
        )
        .values("following", "bookmarked", "unread")
        .first()
    )
    if state is None:
        return {"following": False, "bookmarked": False}
    notifications.remember_unread_count(user, state.pop("unread") or 0)
    return state


def _forget_state(sender, instance, **kwargs) -> None:
    cache.delete(_state_key(instance.user_id, instance.question_id))


def connect() -> None:
    """Every follow or bookmark made or removed (a button, asking or answering, a cascade)
    forgets the cached state it changes."""
    for model in (QuestionFollow, Bookmark):
        for signal in (post_save, post_delete):
            signal.connect(_forget_state, sender=model, dispatch_uid=f"kb-follows-{model.__name__}")


def tag_follow_state(user, tag) -> dict:
    """``{"followers": n, "following": bool}`` for the tag page, in one query."""
    rows = TagFollow.objects.filter(tag=tag)
    if not user.is_authenticated:
        return {"followers": rows.count(), "following": False}

    def count():
        counts = rows.aggregate(followers=Count("id"), mine=Count("id", filter=Q(user=user)))
        return {"followers": counts["followers"], "following": bool(counts["mine"])}

    # Following a tag is a content change (the count shows on the cached tag page).
    return cached_fragment(f"tag-follow:{tag.pk}:{user.pk}", count)


def followed_questions(questions, user):
    """Questions the member follows (asked, answered or followed by hand)."""
    follows = QuestionFollow.objects.filter(user=user, question=OuterRef("pk"))
    return questions.filter(Exists(follows))


def bookmarked_questions(questions, user):
    return questions.filter(Exists(Bookmark.objects.filter(user=user, question=OuterRef("pk"))))
