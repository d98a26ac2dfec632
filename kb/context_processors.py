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
