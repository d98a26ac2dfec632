"""One "content changed" event: the domain sends it; the page cache and the search listen.

Domain methods (kb/models.py) send ``content_changed`` through ``announce()`` right after
each write, inside the writer's transaction, naming the posts whose page or search
document changed. They import no cache and no search engine: the subscribers, connected
in ``KbConfig.ready``, decide when to act:

- the page cache (kb/signals.py) bumps the content version at once and again after the
  commit, so a page rendered from the old rows in between is never served afterwards;
- the search index and the vectors (kb/search/signals.py) re-index after the commit, one
  write for all the posts a transaction changed; nothing happens after a rollback.

Anything with an effect outside the database (e-mail notifications) subscribes the same
way and waits for the commit with ``transaction.on_commit``.
"""

from django.dispatch import Signal

# Arguments: post_ids (frozenset of ints); all_posts (True after a bulk import: too many
# posts changed to list them, so the index is rebuilt).
content_changed = Signal()


def announce(sender, *post_ids: int | None, all_posts: bool = False) -> None:
    """Tell the subscribers that these posts changed (ids that are None are dropped)."""
    ids = frozenset(int(pk) for pk in post_ids if pk)
    content_changed.send(sender=sender, post_ids=ids, all_posts=all_posts)


# What a member did, for the inbox (kb/notifications.py): sent by the domain methods inside
# their transaction, so the notification rows commit or roll back with the write.
# Arguments: action ("asked", "answered", "commented", "accepted", "edited"); actor (the
# user); post (the new question or answer, the post commented on, the accepted answer, the
# edited post); comment (the new comment, or None); for "edited", ``html_before`` (the body
# as it was rendered before the edit).
activity = Signal()


def tell_activity(action: str, actor, post, comment=None, **details) -> None:
    activity.send(
        sender=type(post), action=action, actor=actor, post=post, comment=comment, **details
    )
