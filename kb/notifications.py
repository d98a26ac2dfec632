"""The inbox: who hears about what a member did, and the bell's unread count.

``on_activity`` listens to ``kb.events.activity`` (connected in ``KbConfig.ready``); the
domain methods send it inside their transaction, so the rows below commit or roll back with
the answer, comment or accept they describe. Nobody is told about their own action, and
each member gets at most one notification per action: the most direct reason wins
(your question was answered > you were mentioned > you follow the question or tag).

E-mail is not sent here: after the commit, kb/emails.py enqueues a task for each
notification its recipient wants at once; digests and the sweep send the rest later.
"""

from django.core.cache import cache
from django.utils import timezone

from kb import emails
from kb.cache import content_version
from kb.events import activity
from kb.inbox_models import Notification, QuestionFollow, TagFollow
from kb.mentions import mentioned_members
from kb.models import Post

Kind = Notification.Kind
UNREAD_CACHE_SECONDS = 300


def on_activity(sender, *, signal, action: str, actor, post: Post, comment=None, **details) -> None:
    handler = _HANDLERS[action]
    recipients = handler(actor, post, comment, **details)  # {user id: kind}, most direct last
    recipients.pop(actor.pk, None)
    notes = Notification.objects.bulk_create(
        Notification(recipient_id=user_id, kind=kind, actor=actor, post=post, comment=comment)
        for user_id, kind in recipients.items()
    )
    emails.mail_after_commit(notes)
    for user_id in recipients:
        forget_unread_count(user_id)


def _asked(actor, question: Post, comment) -> dict[int, str]:
    follow(actor, question)
    recipients = {}
    if question.is_question:
        followers = TagFollow.objects.filter(tag__in=question.tags.all()).values_list("user_id")
        recipients = dict.fromkeys((user_id for (user_id,) in followers), Kind.TAG_QUESTION)
    recipients.update(_mentioned(question.body_html))
    return recipients


def _answered(actor, answer: Post, comment) -> dict[int, str]:
    question = answer.parent
    follow(actor, question)
    followers = QuestionFollow.objects.filter(question=question).values_list("user_id", flat=True)
    recipients = dict.fromkeys(followers, Kind.FOLLOWED_ANSWER)
    recipients.update(_mentioned(answer.body_html))
    recipients[question.author_id] = Kind.ANSWER
    return recipients


def _commented(actor, post: Post, comment) -> dict[int, str]:
    recipients = _mentioned(comment.body_html)
    recipients[post.author_id] = Kind.COMMENT
    return recipients


def _accepted(actor, answer: Post, comment) -> dict[int, str]:
    return {answer.author_id: Kind.ACCEPTED}


def _edited(actor, post: Post, comment, *, html_before: str) -> dict[int, str]:
    """Only the members an edit newly mentions: one named before, in the last version or
    an earlier one (told then), is not told again, however often the text changes."""
    newly = _mentioned(post.body_html).keys() - _mentioned(html_before).keys()
    if not newly:
        return {}
    told = Notification.objects.filter(post=post, kind=Kind.MENTION, recipient_id__in=newly)
    newly -= set(told.values_list("recipient_id", flat=True))
    return dict.fromkeys(newly, Kind.MENTION)


_HANDLERS = {
    "asked": _asked,
    "answered": _answered,
    "commented": _commented,
    "accepted": _accepted,
    "edited": _edited,
}


def _mentioned(html: str) -> dict[int, str]:
    return dict.fromkeys(mentioned_members(html).values_list("pk", flat=True), Kind.MENTION)


# -- follows -------------------------------------------------------------------------------


def follow(user, question: Post) -> None:
    QuestionFollow.objects.get_or_create(user=user, question=question)


def connect() -> None:
    activity.connect(on_activity, dispatch_uid="kb-notifications")


# -- the bell ------------------------------------------------------------------------------


def _unread_key(user_id: int) -> str:
    # Under the content version too: deleting a post (which bumps it) can hide notifications.
    return f"kb:unread:{content_version()}:{user_id}"


def unread_count(user) -> int:
    """The bell's number: one query, then cached until something changes for this member."""
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = unread_queryset(user).count()
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return count


def unread_queryset(user):
    return Notification.objects.filter(recipient=user).unread().shown()


def remember_unread_count(user, count: int) -> None:
    """Cache a count another query made (the question page folds it into its own)."""
    cache.set(_unread_key(user.pk), count, UNREAD_CACHE_SECONDS)


def forget_unread_count(user_id: int) -> None:
    cache.delete(_unread_key(user_id))


def mark_read(user, notification_ids=None) -> int:
    """Mark these of the member's notifications read (all when None): how many changed."""
    rows = Notification.objects.filter(recipient=user).unread()
    if notification_ids is not None:
        rows = rows.filter(pk__in=list(notification_ids))
    changed = rows.update(read_at=timezone.now())
    if changed:
        forget_unread_count(user.pk)
    return changed
