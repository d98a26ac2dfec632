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
- who asked anonymously (``Post.is_anonymous``) is seen by staff and the asker only; an
  anonymous asker keeps every right of an author (edit, delete, accept).
- a held post or comment (kb/moderation.py) is hidden like a deleted one, except that its
  author sees it too (with a "waiting for review" banner);
- members flag public posts and comments of others; staff review them on /review/;
- a suspended member reads but does not post, comment, vote, flag or edit
  (``can_participate``; the domain methods refuse too).
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
    """Not deleted nor held, nor an answer under such a question (reads ``post.parent``)."""
    if post.is_deleted or post.held_reason:
        return False
    return not (post.is_answer and (post.parent.is_deleted or post.parent.held_reason))


def _is_staff(user) -> bool:
    return user.is_authenticated and user.is_staff


def _is_author(user, post: Post) -> bool:
    return user.is_authenticated and user.pk == post.author_id


def can_view(user, post: Post) -> bool:
    if is_public(post) or _is_staff(user):
        return True
    # Authors see their own held post (and their answer under their own held question).
    return _is_author(user, post) and not post.is_deleted and _parent_shown_to(user, post)


def _parent_shown_to(user, post: Post) -> bool:
    return not post.is_answer or can_view(user, post.parent)


def can_participate(user) -> bool:
    """Post, answer, comment, vote, flag and edit: any member who is not suspended."""
    return user.is_authenticated and user.suspended_at is None


def can_edit(user, post: Post) -> bool:
    return (
        can_view(user, post)
        and (_is_author(user, post) or _is_staff(user))
        and (can_participate(user) or _is_staff(user))
    )


def can_flag(user, item) -> bool:
    """Flag a public post or comment of someone else (once: the view says when it was)."""
    if not can_participate(user) or user.pk == item.author_id:
        return False
    from kb.models import Comment

    if isinstance(item, Comment):
        return not (item.is_deleted or item.held_reason) and is_public(item.post)
    return is_public(item)


def can_review(user) -> bool:
    return _is_staff(user)


def can_delete(user, post: Post) -> bool:
    return not post.is_deleted and can_edit(user, post)


def can_restore(user, post: Post) -> bool:
    return post.is_deleted and _is_staff(user)


def can_accept(user, question: Post) -> bool:
    """Accept or unaccept answers of this question (a suspended asker cannot)."""
    return (
        question.is_question
        and not question.is_deleted
        and ((_is_author(user, question) and can_participate(user)) or _is_staff(user))
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


def can_see_author(user, post: Post) -> bool:
    """Whether ``user`` may learn who wrote ``post`` (or a comment): anyone for a signed
    post; staff and the author themself for an anonymous one. Only pages rendered for that
    user alone may use it: shared caches and lists show "Anonymous member" to everyone."""
    return not post.is_anonymous or _is_staff(user) or _is_author(user, post)


def can_see_anonymous_posts_of(user, person) -> bool:
    """Whether ``user`` sees ``person``'s anonymous posts on their profile: staff and they."""
    return _is_staff(user) or (user.is_authenticated and user.pk == person.pk)


def can_delete_comment(user, comment: Comment) -> bool:
    if comment.is_deleted or not can_view(user, comment.post):
        return False
    return _is_staff(user) or (user.is_authenticated and user.pk == comment.author_id)


def _is_moderator(user) -> bool:
    """Staff, or a member trusted by reputation to close and reopen questions (unless
    suspended: staff cannot be)."""
    return _is_staff(user) or (
        can_participate(user) and user.reputation >= settings.CLOSE_MIN_REPUTATION
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
    # Reads question.accepted_answer (a query): only asked once the asker has consented.
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
    if not can_participate(user):
        return False
    if _is_author(user, question):
        return True
    return question.outcome_by_answerer and _is_accepted_answerer(user, question)


def can_edit_outcome(user, outcome: Outcome) -> bool:
    return is_public(outcome.question) and (
        _is_staff(user) or (can_participate(user) and user.pk == outcome.author_id)
    )


def can_set_outcome_consent(user, question: Post) -> bool:
    return (
        question.is_question
        and is_public(question)
        and _is_author(user, question)
        and can_participate(user)
    )


def can_reconfirm(user, post: Post) -> bool:
    """Say "still true" of one's own answer or experience post."""
    return (
        not post.is_question
        and is_public(post)
        and _is_author(user, post)
        and can_participate(user)
    )


def can_manage_canonical(user) -> bool:
    return _is_staff(user) or (
        can_participate(user) and user.reputation >= settings.CANONICAL_MIN_REPUTATION
    )


def can_mark_canonical(user, answer: Post) -> bool:
    return answer.is_answer and is_public(answer) and can_manage_canonical(user)
