from django.conf import settings
from django.utils.functional import SimpleLazyObject


def site(request):
    return {"SITE_NAME": settings.SITE_NAME, "search_query": request.GET.get("q", "")}


def inbox(request):
    """The bell's unread count, counted only when a page shows it (logged-in members)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from kb.notifications import unread_count

    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(user))}


def verification(request):
    """Whether the unverified-member banner should say posts wait for review."""
    return {"verification_holds_posts": settings.UNVERIFIED_POSTS_NEED_REVIEW}


def review(request):
    """The header's review count for staff: cached under the content version (every flag
    and review action announces), counted only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {}
    from kb.moderation import pending_count_cached

    return {"review_pending": SimpleLazyObject(pending_count_cached)}
