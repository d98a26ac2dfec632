"""Error pages in the site's look. They render without a database query, so the
500 page still works when the database is what failed."""

from django.shortcuts import render


def _error(request, status, title, message, **extra):
    context = {"status": status, "title": title, "message": message, **extra}
    return render(request, "error.html", context, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "Bad request", "The request could not be understood.")


def permission_denied(request, exception=None):
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
