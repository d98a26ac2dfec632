"""Reading what a member follows or bookmarked: one query per page that shows it."""

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from kb import notifications
from kb.inbox_models import Bookmark, QuestionFollow, TagFollow
from kb.models import Post


def follow_and_bookmark_state(user, question: Post) -> dict:
    """``{"following": bool, "bookmarked": bool}`` for the question page, in one query.

    The same query counts the bell's unread notifications and leaves the number in the
    bell's cache, so the question page keeps one query for all the member's state.
    """
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


def tag_follow_state(user, tag) -> dict:
    """``{"followers": n, "following": bool}`` for the tag page, in one query."""
    rows = TagFollow.objects.filter(tag=tag)
    if not user.is_authenticated:
        return {"followers": rows.count(), "following": False}
    counts = rows.aggregate(followers=Count("id"), mine=Count("id", filter=Q(user=user)))
    return {"followers": counts["followers"], "following": bool(counts["mine"])}


def followed_questions(questions, user):
    """Questions the member follows (asked, answered or followed by hand)."""
    follows = QuestionFollow.objects.filter(user=user, question=OuterRef("pk"))
    return questions.filter(Exists(follows))


def bookmarked_questions(questions, user):
    return questions.filter(Exists(Bookmark.objects.filter(user=user, question=OuterRef("pk"))))
