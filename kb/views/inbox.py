"""The inbox (/inbox/), and following questions and tags and bookmarking questions.

Follow, unfollow and bookmark are POST + log-in with a ``state`` of "on" or "off" (not a
toggle: a double click leaves the state the member asked for). A plain form gets a
redirect and a message, a ``fetch`` asking for JSON gets ``{"on": ..., "count": ...}``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from taggit.models import Tag

from kb import notifications
from kb.events import announce
from kb.inbox_models import Bookmark, Notification, QuestionFollow, TagFollow
from kb.models import Post
from kb.ratelimits import rate_limit
from kb.views.browse import paginate
from kb.views.errors import _error, wants_json

INBOX_PAGE_SIZE = 30
STATES = {"on": True, "off": False}


@login_required
def inbox(request):
    notes = (
        Notification.objects.filter(recipient=request.user)
        .shown()
        .select_related("actor", "post__parent", "comment")
    )
    page = paginate(request, notes, INBOX_PAGE_SIZE)
    page.object_list = list(page.object_list)  # shown as they were: "new" marks stay
    unread = [note.pk for note in page.object_list if not note.read_at]
    notifications.mark_read(request.user, unread)
    return render(request, "kb/inbox.html", {"page": page})


@require_POST
@login_required
def inbox_mark_all_read(request):
    notifications.mark_read(request.user)
    if wants_json(request):
        return JsonResponse({"unread": 0})
    messages.success(request, "All notifications are marked read.")
    return redirect("kb:inbox")


def _state(request):
    """The asked-for state, or None for anything but "on" / "off"."""
    return STATES.get(request.POST.get("state", ""))


def _bad_state(request):
    message = 'Send a state of "on" or "off".'
    if wants_json(request):
        return JsonResponse({"error": message}, status=400)
    return _error(request, 400, "Bad request", message)


def _set_row(model, on: bool, **fields) -> int:
    if on:
        model.objects.get_or_create(**fields)
    else:
        model.objects.filter(**fields).delete()
    return model.objects.filter(**{k: v for k, v in fields.items() if k != "user"}).count()


def _done(request, on: bool, count: int, message: str, back_url: str):
    if wants_json(request):
        return JsonResponse({"on": on, "count": count})
    messages.success(request, message)
    return redirect(back_url)


def _visible_question(pk: int) -> Post:
    return get_object_or_404(Post.objects.questions().visible(), pk=pk)


def _set_question_row(request, pk: int, model, *, on_message: str, off_message: str):
    question = _visible_question(pk)
    on = _state(request)
    if on is None:
        return _bad_state(request)
    count = _set_row(model, on, user=request.user, question=question)
    return _done(request, on, count, on_message if on else off_message, question.get_absolute_url())


@require_POST
@login_required
@rate_limit("toggle")
def question_follow(request, pk: int):
    return _set_question_row(
        request,
        pk,
        QuestionFollow,
        on_message="You follow this question: new answers reach your inbox.",
        off_message="You no longer follow this question.",
    )


@require_POST
@login_required
@rate_limit("toggle")
def question_bookmark(request, pk: int):
    return _set_question_row(
        request, pk, Bookmark, on_message="Bookmarked.", off_message="Bookmark removed."
    )


@require_POST
@login_required
@rate_limit("toggle")
def tag_follow(request, slug: str):
    tag = get_object_or_404(Tag, slug=slug)
    back_url = reverse("kb:tag-detail", args=[tag.slug])
    on = _state(request)
    if on is None:
        return _bad_state(request)
    count = _set_row(TagFollow, on, user=request.user, tag=tag)
    announce(TagFollow)  # the cached tag page shows the follower count: a content change
    message = (
        f"You follow “{tag.name}”: new questions in it reach your inbox."
        if on
        else f"You no longer follow “{tag.name}”."
    )
    return _done(request, on, count, message, back_url)
