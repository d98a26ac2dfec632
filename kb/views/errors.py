"""Error pages in the site's look. They render without a database query, so the
500 page still works when the database is what failed."""

from django.http import JsonResponse
from django.shortcuts import render


def wants_json(request) -> bool:
    """A ``fetch`` from static/js/site.js: it asks for JSON and shows ``{"error": ...}``."""
    return "application/json" in request.headers.get("Accept", "")


def _error(request, status, title, message, **extra):
    context = {"status": status, "title": title, "message": message, **extra}
    return render(request, "error.html", context, status=status)


def error_page(request, status: int, title: str, message: str):
    """A refusal in the site's look: the status, what went wrong and what to do."""
    return _error(request, status, title, message)


def bad_request(request, exception=None):
    return _error(request, 400, "Bad request", "The request could not be understood.")


def permission_denied(request, exception=None):
    from kb.moderation import MemberSuspended

    if isinstance(exception, MemberSuspended):  # its message says what a member can still do
        if wants_json(request):
            return JsonResponse({"error": str(exception)}, status=403)
        return _error(request, 403, "Your account is suspended", str(exception))
    return _error(request, 403, "Not allowed", "You do not have permission to do that.")


def page_not_found(request, exception=None):
    return _error(
        request,
        404,
        "Page not found",
        "We could not find that page. It may have been moved or deleted.",
    )


def server_error(request):
    return _error(
        request,
        500,
        "Something went wrong",
        "An unexpected error happened on our side. It has been logged; please try again.",
        is_error_page=True,  # skip the account menu: it needs the database
    )


def too_many_requests(request, message: str, retry_after: int, offer_password_reset=False):
    """429 with Retry-After: JSON for the page's scripts, else a page that keeps what was typed."""
    if wants_json(request):
        response = JsonResponse({"error": message, "retry_after": retry_after}, status=429)
    else:
        context = {
            "status": 429,
            "title": "Please slow down",
            "message": message,
            "kept_text": _typed_text(request),
            "offer_password_reset": offer_password_reset,
        }
        response = render(request, "too_many_requests.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _typed_text(request) -> str:
    """Nothing was saved: give the writer back the title and text they typed, to copy."""
    if request.method != "POST":
        return ""
    return "\n\n".join(filter(None, (request.POST.get(f, "") for f in ("title", "body"))))
