"""Outcomes, fresh advice and start-here answers (issue 13): all POST + log-in.

Refusals a form can cause (too short, a tag the question lacks) render the page again with
the message and a 400, so nothing typed is lost; permission refusals are a 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST
from taggit.models import Tag

from kb import moderation, permissions
from kb.forms import OutcomeForm
from kb.models import CanonicalAnswer, CanonicalRefused, Outcome, OutcomeExists, Post
from kb.ratelimits import rate_limit
from kb.views.edit import _get_post_for_reader
from kb.views.questions import _get_question_for_reader, _render_question

CONSENT_STATES = {"on": True, "off": False}


def _existing_outcome(question: Post) -> Outcome | None:
    if not question.outcome_reported_at:
        return None
    return Outcome.objects.select_related("question").filter(question=question).first()


def _refuse(request, question: Post, message: str, status: int, **render_kwargs):
    messages.error(request, message)
    return _render_question(request, question, status=status, **render_kwargs)


@require_POST
@login_required
@rate_limit("answer")
def outcome_save(request, pk: int):
    """Report the question's outcome, or edit it when it has one."""
    moderation.check_not_suspended(request.user)
    question = _get_question_for_reader(request, pk)
    outcome = _existing_outcome(question)
    allowed = (
        permissions.can_edit_outcome(request.user, outcome)
        if outcome
        else permissions.can_add_outcome(request.user, question)
    )
    if not allowed:
        raise PermissionDenied("Only the asker can report or edit this question's outcome.")
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        message = "Outcome not saved: " + form.errors["body"][0]
        return _refuse(request, question, message, 400, outcome_form=form)
    body = form.cleaned_data["body"]
    try:
        if outcome:
            outcome.edit(request.user, body)
            messages.success(request, "The outcome is updated.")
        else:
            question.add_outcome(request.user, body)
            messages.success(request, "Thanks for coming back to say how it went.")
    except OutcomeExists as refusal:
        return _refuse(request, question, str(refusal), 409, outcome_form=form)
    return redirect(f"{question.get_absolute_url()}#outcome")


@require_POST
@login_required
@rate_limit("toggle")
def outcome_consent(request, pk: int):
    """The asker lets the accepted answerer report the outcome (``state=on``) or not (off)."""
    moderation.check_not_suspended(request.user)
    question = _get_question_for_reader(request, pk)
    if not permissions.can_set_outcome_consent(request.user, question):
        raise PermissionDenied("Only the asker decides who may report the outcome.")
    state = CONSENT_STATES.get(request.POST.get("state", ""))
    if state is None:
        return _refuse(request, question, "Say on or off.", 400)
    question.allow_outcome_by_answerer(state, by=request.user)
    messages.success(
        request,
        "The accepted answer's author may now report the outcome."
        if state
        else "Only you can report the outcome now.",
    )
    return redirect(f"{question.get_absolute_url()}#outcome")


@require_POST
@login_required
@rate_limit("toggle")
def post_reconfirm(request, pk: int):
    """The author's one click: "still true in <this year>"."""
    moderation.check_not_suspended(request.user)
    post = _get_post_for_reader(request, pk)
    if not permissions.can_reconfirm(request.user, post):
        raise PermissionDenied("Only the author can confirm their advice still holds.")
    post.reconfirm(by=request.user)
    messages.success(request, f"Thanks: marked as still true in {post.confirmed_at:%Y}.")
    return redirect(post.get_absolute_url())


@require_POST
@login_required
@rate_limit("toggle")
def answer_mark_canonical(request, pk: int):
    """Make the answer "Start here for <tag>" (the tag named in ``tag``)."""
    moderation.check_not_suspended(request.user)
    answer = _get_post_for_reader(request, pk)
    if not answer.is_answer:
        raise Http404("Only answers can be a start-here answer.")
    if not permissions.can_mark_canonical(request.user, answer):
        raise PermissionDenied("Only moderators can mark a start-here answer.")
    tag = Tag.objects.filter(name=request.POST.get("tag", "").strip()[:100]).first()
    question = _get_question_for_reader(request, answer.parent_id)
    if tag is None:
        return _refuse(request, question, "Choose one of the question's tags.", 400)
    try:
        answer.mark_canonical(tag, by=request.user)
    except CanonicalRefused as refusal:
        return _refuse(request, question, str(refusal), 400)
    messages.success(request, f"This answer is now “Start here” for {tag.name}.")
    return redirect(answer.get_absolute_url())


@require_POST
@login_required
@rate_limit("toggle")
def tag_unmark_canonical(request, slug: str):
    moderation.check_not_suspended(request.user)
    tag = get_object_or_404(Tag, slug=slug)
    if not permissions.can_manage_canonical(request.user):
        raise PermissionDenied("Only moderators can unmark a start-here answer.")
    if CanonicalAnswer.unmark(tag, by=request.user):
        messages.success(request, f"{tag.name} has no start-here answer now.")
    else:
        messages.info(request, f"{tag.name} had no start-here answer.")
    return redirect("kb:tag-detail", slug=tag.slug)
