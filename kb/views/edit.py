"""Editing posts (with revisions), soft delete and restore."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from kb import moderation, permissions
from kb.forms import BODY_MAX, ExperienceForm, edit_form_for
from kb.markdown import render_markdown
from kb.models import CareerMove, Post
from kb.ratelimits import rate_limit


def _get_post_for_reader(request, pk: int) -> Post:
    """The post, or 404 when the user may not see it (deleted, for all but staff)."""
    post = get_object_or_404(Post.objects.select_related("parent", "author"), pk=pk)
    if not permissions.can_view(request.user, post):
        raise Http404("This post was deleted.")
    return post


def _get_post_for_editor(request, pk: int) -> Post:
    """The post the user may edit or delete: 404 if they cannot see it, 403 if not theirs
    (or if they are suspended)."""
    if not request.user.is_staff:
        moderation.check_not_suspended(request.user)
    post = _get_post_for_reader(request, pk)
    if not permissions.can_edit(request.user, post):
        raise PermissionDenied("Only the author or a moderator can change this post.")
    return post


@login_required
@rate_limit("edit")
def post_edit(request, pk: int):
    post = _get_post_for_editor(request, pk)
    form = edit_form_for(post, request.POST or None)
    preview_html = None
    status = 200
    if request.method == "POST":
        if "preview" in request.POST:
            form = edit_form_for(post, typed=request.POST.dict())
            preview_html = render_markdown(request.POST.get("body", "")[:BODY_MAX])
        elif form.is_valid():
            data = form.cleaned_data
            revision = post.edit(
                request.user,
                title=data.get("title", ""),
                body=data["body"],
                tags=data.get("tags"),
            )
            moved = isinstance(form, ExperienceForm) and CareerMove.record(post, **form.move_data())
            if revision is None and not moved:
                messages.info(request, "Nothing changed, so no new revision was saved.")
            else:
                messages.success(request, "Your edit is saved.")
            return redirect(post.get_absolute_url())
        else:
            status = 400
    context = {"post": post, "form": form, "preview_html": preview_html}
    return render(request, "kb/edit.html", context, status=status)


@require_GET
def post_revisions(request, pk: int):
    post = _get_post_for_reader(request, pk)
    revisions = post.revisions.select_related("editor")
    return render(request, "kb/revisions.html", {"post": post, "revisions": revisions})


@require_POST
@login_required
def post_delete(request, pk: int):
    post = _get_post_for_editor(request, pk)
    if permissions.can_delete(request.user, post):
        post.soft_delete(by=request.user)
    messages.success(request, "The post is deleted. A moderator can restore it.")
    if post.is_answer:
        return redirect(post.parent)
    if request.user.is_staff:
        return redirect(post)
    return redirect("kb:question-list" if post.is_question else "kb:post-list")


@require_POST
@login_required
def post_restore(request, pk: int):
    post = get_object_or_404(Post.objects.select_related("parent"), pk=pk)
    if not request.user.is_staff:
        raise PermissionDenied("Only staff can restore a deleted post.")
    if permissions.can_restore(request.user, post):
        post.restore(by=request.user)
    messages.success(request, "The post is restored.")
    return redirect(post.get_absolute_url())
