"""Closing a question (as a duplicate of another, or off-topic) and reopening it.

Plain forms (POST + CSRF) that redirect with a message; refusals render the question page
again with the message and a 4xx, so nothing typed is lost.
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from kb import moderation
from kb.models import CloseRefused, Post
from kb.ratelimits import rate_limit
from kb.views.questions import _get_question_for_reader, _render_question

# "123", "/questions/123/", "https://site/questions/123/some-slug/#answer-4"
_QUESTION_ID = re.compile(r"^\s*(\d+)\s*$|/questions/(\d+)(?:/|$)")
CLOSE_KINDS = {Post.CloseReason.DUPLICATE, Post.CloseReason.OFF_TOPIC}


def question_id_from(text: str) -> int | None:
    """The question id in a link to a question or a bare number; None if there is none."""
    match = _QUESTION_ID.search(text.strip()[:500])
    if not match:
        return None
    return int(match.group(1) or match.group(2))


def _refuse(request, question: Post, message: str, status: int):
    messages.error(request, message)
    return _render_question(request, question, status=status)


@require_POST
@login_required
@rate_limit("toggle")
def question_close(request, pk: int):
    moderation.check_not_suspended(request.user)
    question = _get_question_for_reader(request, pk)
    if question.is_closed or question.is_deleted:
        return _refuse(request, question, "This question is closed already (or deleted).", 400)
    kind = request.POST.get("kind", "")
    if kind not in CLOSE_KINDS:
        return _refuse(request, question, "Choose why to close: duplicate or off-topic.", 400)
    try:
        if kind == Post.CloseReason.DUPLICATE:
            original = _original_from(request.POST.get("original", ""))
            target = question.close_as_duplicate(original, by=request.user)
            note = f"Closed as a duplicate of “{target.title}”."
        else:
            question.close_as_off_topic(request.POST.get("reason", ""), by=request.user)
            note = "Closed as off-topic."
    except PermissionDenied as refusal:
        return _refuse(request, question, str(refusal), 403)
    except CloseRefused as refusal:
        return _refuse(request, question, str(refusal), 400)
    messages.success(request, note)
    return redirect(question)


def _original_from(text: str) -> Post:
    original_id = question_id_from(text)
    if original_id is None:
        raise CloseRefused("Give the original question's link or number.")
    original = Post.objects.filter(pk=original_id).first()
    if original is None:
        raise CloseRefused(f"There is no question number {original_id}.")
    return original


@require_POST
@login_required
@rate_limit("toggle")
def question_reopen(request, pk: int):
    moderation.check_not_suspended(request.user)
    question = _get_question_for_reader(request, pk)
    if not question.is_closed:
        return _refuse(request, question, "This question is open already.", 400)
    try:
        question.reopen(by=request.user)
    except PermissionDenied as refusal:
        return _refuse(request, question, str(refusal), 403)
    messages.success(request, "The question is open again.")
    return redirect(question)
