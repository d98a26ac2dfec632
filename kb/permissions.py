"""Who may see and change a post or a comment: the one place that decides.

Views (through ``get_object_or_404`` and these functions), templates (the filters in
``kb/templatetags/permissions.py``) and the admin all ask here. The rules:

- everyone sees a post that is public: not deleted, and not an answer to a deleted
  question; staff also see hidden posts (to restore them), nobody else does, authors included;
- the author and staff edit a post they can see; a public post can be deleted by them;
- staff restore a deleted post;
- the asker and staff accept an answer on a public question;
- votes and comments go to public posts only (``is_public``); downvotes to answers only,
  from staff or members with DOWNVOTE_MIN_REPUTATION (plus the voting standing of
  ``User.can_vote``, which the vote view checks for both arrows);
- staff, and members with ``settings.CLOSE_MIN_REPUTATION``, close an open public question
  (duplicate / off-topic) and reopen a closed one;
- the comment's author and staff delete a comment on a post they can see;
- the asker reports a public question's outcome (one per question), and so may the accepted
  answer's author once the asker allows it; the outcome's author and staff edit it; only the
  asker gives or withdraws that consent;
- the author re-confirms their public answer or experience post ("still true");
- staff, and members with ``settings.CANONICAL_MIN_REPUTATION``, mark a public answer "start
  here" for a tag of its question, and unmark it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from kb.models import Comment, Outcome, Post


def is_public(post: Post) -> bool:
    """Not deleted, nor an answer under a deleted question (reads ``post.parent``)."""
    if post.is_deleted:
        return False
    return not (post.is_answer and post.parent.is_deleted)


def _is_staff(user) -> bool:
    return user.is_authenticated and user.is_staff


def _is_author(user, post: Post) -> bool:
    return user.is_authenticated and user.pk == post.author_id


def can_view(user, post: Post) -> bool:
    return is_public(post) or _is_staff(user)


def can_edit(user, post: Post) -> bool:
    return can_view(user, post) and (_is_author(user, post) or _is_staff(user))


def can_delete(user, post: Post) -> bool:
    return not post.is_deleted and can_edit(user, post)


def can_restore(user, post: Post) -> bool:
    return post.is_deleted and _is_staff(user)


def can_accept(user, question: Post) -> bool:
    """Accept or unaccept answers of this question."""
    return (
        question.is_question
        and not question.is_deleted
        and (_is_author(user, question) or _is_staff(user))
    )


def can_downvote(user) -> bool:
    """Cast a downvote (withdrawing one needs nothing)."""
    return _is_staff(user) or (
        user.is_authenticated and user.reputation >= settings.DOWNVOTE_MIN_REPUTATION
    )


def downvote_refusal(user) -> str:
    reputation = user.reputation if user.is_authenticated else 0
    return (
        f"Downvoting needs {settings.DOWNVOTE_MIN_REPUTATION} reputation (you have "
        f"{reputation}); it costs you 1 and the answer's author 2. Upvote the answers "
        "that help instead, or comment on what is wrong."
    )


def can_delete_comment(user, comment: Comment) -> bool:
    if comment.is_deleted or not can_view(user, comment.post):
        return False
    return _is_staff(user) or (user.is_authenticated and user.pk == comment.author_id)


def _is_moderator(user) -> bool:
    """Staff, or a member trusted by reputation to close and reopen questions."""
    return _is_staff(user) or (
        user.is_authenticated and user.reputation >= settings.CLOSE_MIN_REPUTATION
    )


def can_close(user, question: Post) -> bool:
    return (
        question.is_question
        and not question.is_deleted
        and not question.is_closed
        and _is_moderator(user)
    )


def can_reopen(user, question: Post) -> bool:
    return question.is_closed and not question.is_deleted and _is_moderator(user)


# -- outcomes, fresh advice, start-here answers (issue 13) ---------------------------------


def _is_accepted_answerer(user, question: Post) -> bool:
    # Reads question.accepted_answer: the question page selects it with the question.
    return (
        user.is_authenticated
        and question.accepted_answer_id is not None
        and question.accepted_answer.author_id == user.pk
        and not question.accepted_answer.is_deleted
    )


def can_add_outcome(user, question: Post) -> bool:
    """Report the outcome of a question that has none yet (checked again when saving)."""
    if not question.is_question or not is_public(question) or question.outcome_reported_at:
        return False
    if _is_author(user, question):
        return True
    return question.outcome_by_answerer and _is_accepted_answerer(user, question)


def can_edit_outcome(user, outcome: Outcome) -> bool:
    return is_public(outcome.question) and (
        _is_staff(user) or (user.is_authenticated and user.pk == outcome.author_id)
    )


def can_set_outcome_consent(user, question: Post) -> bool:
    return question.is_question and is_public(question) and _is_author(user, question)


def can_reconfirm(user, post: Post) -> bool:
    """Say "still true" of one's own answer or experience post."""
    return not post.is_question and is_public(post) and _is_author(user, post)


def can_manage_canonical(user) -> bool:
    return _is_staff(user) or (
        user.is_authenticated and user.reputation >= settings.CANONICAL_MIN_REPUTATION
    )


def can_mark_canonical(user, answer: Post) -> bool:
    return answer.is_answer and is_public(answer) and can_manage_canonical(user)
