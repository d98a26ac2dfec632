"""Flags from members, the staff review queue (/review/) and suspending members.

Every action is POST + log-in + CSRF and goes through kb/moderation.py; refusals answer
with a message and a 4xx (403 for a suspended member or a non-moderator).
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kb import moderation, permissions
from kb.flag_models import FLAG_NOTE_MAX, Flag
from kb.models import Comment, Post
from kb.ratelimits import rate_limit
from kb.views.errors import error_page, wants_json

REVIEW_ACTIONS = {
    "approve": (moderation.approve, "Approved: it is shown and its flags are resolved."),
    "dismiss": (moderation.dismiss_flags, "Flags dismissed."),
    "delete": (moderation.delete, "Deleted."),
    "suspend": (
        moderation.delete_and_suspend,
        "Deleted, and the author is suspended with all their content hidden.",
    ),
}


def _require_staff(request) -> None:
    if not permissions.can_review(request.user):
        raise PermissionDenied("Only moderators can open the review queue.")


def _page_url(item) -> str:
    post = item.post if isinstance(item, Comment) else item
    anchor = f"#comment-{item.pk}" if isinstance(item, Comment) else ""
    return post.get_absolute_url().split("#")[0] + anchor


def _get_item(kind: str, pk: int):
    if kind == "post":
        return get_object_or_404(Post.objects.select_related("parent", "author"), pk=pk)
    if kind == "comment":
        return get_object_or_404(Comment.objects.select_related("post__parent", "author"), pk=pk)
    raise Http404("Nothing to flag there.")


def _refuse(request, message: str, status: int):
    if wants_json(request):
        return JsonResponse({"error": message}, status=status)
    return error_page(request, status, "Flag not recorded", message)


@require_POST
@login_required
@rate_limit("flag")
def flag_item(request, kind: str, pk: int):
    """A member flags a post or a comment: a reason and an optional note."""
    moderation.check_not_suspended(request.user)
    item = _get_item(kind, pk)
    post = item.post if isinstance(item, Comment) else item
    if not permissions.can_view(request.user, post):
        raise Http404("This post was deleted.")
    if item.author_id == request.user.pk:
        return _refuse(request, "You can't flag your own post or comment.", 403)
    if not permissions.can_flag(request.user, item):
        return _refuse(request, "This is hidden already: moderators are looking at it.", 409)
    reason = request.POST.get("reason", "")
    note = request.POST.get("note", "")
    if reason not in Flag.Reason.values:
        return _refuse(request, "Choose why you are flagging it.", 400)
    if len(note) > FLAG_NOTE_MAX:
        return _refuse(request, f"Keep the note under {FLAG_NOTE_MAX} characters.", 400)
    try:
        moderation.flag(item, by=request.user, reason=reason, note=note)
    except moderation.FlagRefused as refused:
        return _refuse(request, str(refused), 409)
    messages.success(request, "Thanks: moderators will look at it.")
    return redirect(_page_url(item))


@login_required
def review(request):
    _require_staff(request)
    context = {
        "flagged": moderation.flagged_items(),
        "first_posts": moderation.first_posts(),
        "held": moderation.held_unverified(),
    }
    return render(request, "kb/review.html", context)


@require_POST
@login_required
def review_action(request, kind: str, pk: int, action: str):
    _require_staff(request)
    if action not in REVIEW_ACTIONS:
        return HttpResponseBadRequest("Unknown review action.")
    item = _get_item(kind, pk)
    perform, done = REVIEW_ACTIONS[action]
    if action == "suspend" and item.author.is_staff:
        messages.error(request, "Staff accounts can't be suspended.")
        return redirect("kb:review")
    if action == "suspend":
        perform(item, by=request.user, reason=request.POST.get("reason", "")[:500])
    else:
        perform(item, by=request.user)
    messages.success(request, done)
    return redirect("kb:review")


@require_POST
@login_required
def member_suspend(request, pk: int):
    _require_staff(request)
    member = get_object_or_404(get_user_model(), pk=pk)
    if member.is_staff:
        messages.error(request, "Staff accounts can't be suspended; remove staff status first.")
        return redirect(member)
    hide = request.POST.get("hide_content") == "1"
    member.suspend(by=request.user, reason=request.POST.get("reason", "")[:500], hide_content=hide)
    messages.success(
        request,
        f"{member.name} is suspended" + (", and all their content is hidden." if hide else "."),
    )
    return redirect(member)


@require_POST
@login_required
def member_unsuspend(request, pk: int):
    _require_staff(request)
    member = get_object_or_404(get_user_model(), pk=pk)
    released = member.unsuspend(by=request.user, release_content=True)
    messages.success(
        request, f"{member.name} can post again; {released} hidden item(s) are shown again."
    )
    return redirect(member)


@require_POST
@login_required
def member_hide_content(request, pk: int):
    _require_staff(request)
    member = get_object_or_404(get_user_model(), pk=pk)
    hidden = moderation.hide_all_content(member, by=request.user)
    messages.success(request, f"{hidden} post(s) and comment(s) by {member.name} are hidden.")
    return redirect(member)
