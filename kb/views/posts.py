"""Experience posts: writing one and its page. (The list page is in browse.py.)"""

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from kb import permissions
from kb.cache import cache_anonymous_page
from kb.forms import CommentForm, ExperienceForm
from kb.models import Post, Vote
from kb.views.questions import compose_post, plain_text, revisions_url

SIDEBAR_QUESTIONS = 5


@login_required
def post_create(request):
    return compose_post(
        request,
        ExperienceForm,
        "kb/post_form.html",
        "Your experience post is published. Thank you!",
        "experience",
    )


def _get_experience_for_reader(request, pk: int) -> Post:
    post = get_object_or_404(
        Post.objects.experiences().with_author().select_related("career_move"), pk=pk
    )
    if not permissions.can_view(request.user, post):
        raise Http404("This post was deleted.")
    return post


def post_redirect(request, pk: int):
    return redirect(_get_experience_for_reader(request, pk), permanent=True)


def _questions_sharing_tags(tags) -> list[Post]:
    if not tags:
        return []
    return list(
        Post.objects.questions()
        .visible()
        .filter(tags__in=tags)
        .distinct()
        .only("id", "title", "slug", "kind", "score")
        .order_by("-score", "-created_at")[:SIDEBAR_QUESTIONS]
    )


@cache_anonymous_page
def post_detail(request, pk: int, slug: str):
    post = _get_experience_for_reader(request, pk)
    if slug != post.slug:
        return redirect(post, permanent=True)
    # F(): simultaneous readers all count.
    Post.objects.filter(pk=pk).update(view_count=F("view_count") + 1)
    post.view_count += 1
    post._shown_comments = post.comments_shown_to(request.user)
    tags = sorted(post.tags.all(), key=lambda tag: tag.name)
    voted_ids, _ = Vote.pressed_arrows(request.user, [post.pk])  # no downvotes here
    context = {
        "post": post,
        "move": getattr(post, "career_move", None),
        "tags": tags,
        "voted_ids": voted_ids,
        "comment_form": CommentForm(),
        "revisions_url": revisions_url(post),
        "questions": _questions_sharing_tags(tags),
        "meta_description": plain_text(post.body_html),
    }
    return render(request, "kb/post_detail.html", context)
