"""State changes on posts: votes, accepting answers, comments. Every one is POST + log-in.

Each action answers a plain form with a redirect and a message, and a ``fetch`` that asks
for ``Accept: application/json`` with JSON (errors with their 4xx status).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from kb import moderation, permissions
from kb.forms import CommentForm
from kb.models import AnswerGone, Comment, DownvoteRefused, Post, Vote
from kb.ratelimits import limit_reached, rate_limit
from kb.views.errors import too_many_requests, wants_json


def _get_public_post(pk: int) -> Post:
    """A post open to votes and comments (staff too): public, see kb/permissions.py."""
    post = get_object_or_404(Post.objects.select_related("parent"), pk=pk)
    if not permissions.is_public(post):
        raise Http404("This post was deleted.")
    return post


def _get_question_for_asker(request, pk: int) -> Post:
    moderation.check_not_suspended(request.user)
    question = get_object_or_404(Post.objects.questions().visible(), pk=pk)
    if not permissions.can_accept(request.user, question):
        raise PermissionDenied("Only the asker can accept an answer.")
    return question


def _refuse(request, post: Post, message: str, status: int):
    if wants_json(request):
        return JsonResponse({"error": message}, status=status)
    messages.error(request, message)
    return redirect(post.get_absolute_url())


VOTE_CHOICES = {"1": Vote.UP, "-1": Vote.DOWN}
VOTE_THANKS = {
    Vote.UP: "Thanks for your vote.",
    Vote.DOWN: "Your downvote is counted: the answer sinks (it cost you 1 reputation).",
    Vote.NONE: "Your vote is withdrawn.",
}


@require_POST
@login_required
def post_vote(request, pk: int):
    """The up (``value=1``, the default) or down (``value=-1``) arrow: see ``Post.cast_vote``."""
    moderation.check_not_suspended(request.user)
    post = _get_public_post(pk)
    value = VOTE_CHOICES.get(request.POST.get("value", "1"))
    if value is None:
        return _refuse(request, post, "A vote is up (1) or down (-1).", status=400)
    if value == Vote.DOWN and not post.is_answer:
        return _refuse(request, post, DownvoteRefused.message, status=400)
    refusal = _vote_refusal(request.user, post, value)
    if refusal:
        return _refuse(request, post, refusal, status=403)
    limited = limit_reached(request, "vote")
    if limited:
        return too_many_requests(request, limited.message, limited.retry_after)
    try:
        vote, score = post.cast_vote(request.user, value)
    except PermissionDenied as denied:
        return _refuse(request, post, str(denied), status=403)
    except DownvoteRefused as refused:
        return _refuse(request, post, str(refused), status=400)
    if wants_json(request):
        return JsonResponse({"voted": vote == Vote.UP, "vote": vote, "score": score})
    messages.success(request, VOTE_THANKS[vote])
    return redirect(post.get_absolute_url())


def _vote_refusal(user, post: Post, value: int) -> str | None:
    """Why this click may not cast a vote; withdrawing one's own vote needs no standing."""
    current = Vote.objects.filter(post=post, user=user).values_list("value", flat=True).first()
    if current == value:
        return None  # a withdrawal
    if not user.can_vote:
        return user.voting_refusal
    if value == Vote.DOWN and not permissions.can_downvote(user):
        return permissions.downvote_refusal(user)
    return None


@require_POST
@login_required
def question_accept(request, pk: int, answer_pk: int):
    question = _get_question_for_asker(request, pk)
    answer = get_object_or_404(Post.objects.answers().visible(), pk=answer_pk, parent=question)
    try:
        question.accept(answer, by=request.user)
    except AnswerGone:  # deleted a moment ago, after the lookup above
        raise Http404("This answer was deleted.") from None
    messages.success(request, "Answer accepted.")
    return redirect(f"{question.get_absolute_url()}#answer-{answer.pk}")


@require_POST
@login_required
def question_unaccept(request, pk: int):
    question = _get_question_for_asker(request, pk)
    question.unaccept(by=request.user)
    messages.success(request, "The answer is no longer accepted.")
    return redirect(question)


@require_POST
@login_required
@rate_limit("comment")
def comment_create(request, pk: int):
    moderation.check_not_suspended(request.user)
    post = _get_public_post(pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _refuse(request, post, "Comment not posted: " + form.errors["body"][0], 400)
    comment = post.add_comment(request.user, form.cleaned_data["body"])
    if wants_json(request):
        return JsonResponse(
            {
                "id": comment.pk,
                "html": comment.body_html,
                # What the page shows everyone: an anonymous asker stays anonymous.
                "author": comment.shown_author_name,
                "author_url": comment.author.get_absolute_url() if comment.shown_author else "",
                "anonymous": comment.is_anonymous,
            },
            status=201,
        )
    messages.success(request, "Comment added." + moderation.held_note(comment))
    return redirect(f"{_page_url(post)}#comment-{comment.pk}")


@require_POST
@login_required
def comment_delete(request, pk: int):
    comment = get_object_or_404(
        Comment.objects.select_related("post__parent"), pk=pk, is_deleted=False
    )
    if not permissions.can_view(request.user, comment.post):
        raise Http404("This post was deleted.")
    if not permissions.can_delete_comment(request.user, comment):
        raise PermissionDenied("Only the author or a moderator can delete this comment.")
    comment.soft_delete()
    messages.success(request, "Comment deleted.")
    return redirect(_page_url(comment.post))


def _page_url(post: Post) -> str:
    return post.get_absolute_url().split("#")[0]
