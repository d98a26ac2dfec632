"""Moderation: held content, flags, the review queue (/review/) and suspension.

One path per action, for the review page, the admin and commands alike:

- an unverified member's new posts and comments are *held* (``HoldReason.UNVERIFIED``) while
  ``settings.UNVERIFIED_POSTS_NEED_REVIEW`` is on; verifying the e-mail releases them;
- ``flag()`` records one member's report; ``settings.FLAGS_TO_HIDE`` open flags, or one
  from staff (a moderator's judgement needs no seconding), hold the item (``FLAGGED``);
- a member's first post is public at once but listed for review (``Post.needs_review``);
- staff ``approve()``, ``delete()``, ``delete_and_suspend()`` or ``dismiss_flags()`` an item;
- ``suspend_member()`` stops a member posting, voting, flagging and editing, and can hold all
  their content in one step (``SUSPENDED``); ``unsuspend_member()`` can release it.

Held content is hidden like deleted content (``PostQuerySet.visible()``, ``Post.is_public``,
kb/permissions.py) except from its author and staff.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Value
from django.utils import timezone

from kb.events import announce
from kb.flag_models import FLAG_NOTE_MAX, Flag
from kb.models import Comment, HoldReason, Post

logger = logging.getLogger(__name__)

# An account this young is "new": its first post is listed for review (demo and long-standing
# members are not).
NEW_ACCOUNT_DAYS = 30
QUEUE_LIMIT = 50  # items per /review/ section: the oldest wait at the bottom, still bounded
FLAG_ROWS_LIMIT = 500


class MemberSuspended(PermissionDenied):
    """The member is suspended: the message (shown on the 403 page) says so."""


class FlagRefused(ValueError):
    """The flag can't be recorded; the message says why (shown to the member)."""


def suspension_message(user) -> str:
    reason = f" Reason: {user.suspended_reason}" if user.suspended_reason else ""
    return (
        "Your account is suspended: you can read, but not post, comment, vote, flag or "
        f"edit.{reason} Contact the moderators if you think this is a mistake."
    )


def check_not_suspended(user) -> None:
    if getattr(user, "suspended_at", None) is not None:
        raise MemberSuspended(suspension_message(user))


def _require_staff(user) -> None:
    if not (user.is_authenticated and user.is_staff):
        raise PermissionDenied("Only moderators can do that.")


# -- new content ---------------------------------------------------------------------------


def needs_verification(author) -> bool:
    """Whether the author's new posts wait for review until they verify their e-mail."""
    return (
        settings.UNVERIFIED_POSTS_NEED_REVIEW
        and author.email_verified_at is None
        and not author.is_staff
    )


def comment_hold_reason(author) -> str:
    return HoldReason.UNVERIFIED if needs_verification(author) else ""


def new_content_state(author) -> dict:
    """The moderation fields of a new post by ``author``."""
    held = needs_verification(author)
    return {
        "held_reason": HoldReason.UNVERIFIED if held else "",
        "held_at": timezone.now() if held else None,
        "needs_review": _is_first_post(author),
    }


def _is_first_post(author) -> bool:
    """A new account's first post (staff and imported authors are never reviewed)."""
    if author.is_staff or author.is_imported:
        return False
    if author.date_joined < timezone.now() - timedelta(days=NEW_ACCOUNT_DAYS):
        return False
    return not Post.objects.filter(author=author).exists()


def held_note(item) -> str:
    """What to add to "posted" when the item waits for review (empty when it is shown)."""
    if item.held_reason != HoldReason.UNVERIFIED:
        return ""
    return (
        " It waits for review: confirm your e-mail with the link we sent you, and it is "
        "published for everyone."
    )


def release_unverified_content(member) -> int:
    """Release what was held until the member verified: how many items. A suspended member's
    stays held: lifting the suspension releases it."""
    if member.is_suspended:
        return 0
    return _release(member, HoldReason.UNVERIFIED)


def _release(member, reason: str) -> int:
    posts = Post.objects.filter(author=member, held_reason=reason).select_related("parent")
    comments = Comment.objects.filter(author=member, held_reason=reason).select_related("post")
    # Questions first, so their answers are released into a shown thread.
    ordered = sorted(posts, key=lambda post: post.is_answer)
    return sum(item.release() for item in [*ordered, *comments])


# -- flags ---------------------------------------------------------------------------------


def _post_id_of(item) -> int:
    return item.post_id if isinstance(item, Comment) else item.pk


def flag(item, *, by, reason: str, note: str = "") -> Flag:
    """``by`` flags a post or a comment; enough open flags (or staff) hold it for review."""
    check_not_suspended(by)
    if item.author_id == by.pk:
        raise FlagRefused("You can't flag your own post or comment.")
    if reason not in Flag.Reason.values:
        raise FlagRefused("Choose why you are flagging it.")
    note = " ".join(note.replace("\x00", " ").split())[:FLAG_NOTE_MAX]  # PostgreSQL refuses NUL
    try:
        with transaction.atomic():
            new_flag = Flag.objects.create(
                **{Flag.field_for(item): item}, flagger=by, reason=reason, note=note
            )
    except IntegrityError:
        raise FlagRefused("You have flagged this already: moderators will look at it.") from None
    # Flags of members who have not confirmed their e-mail reach the review queue but hide
    # nothing: a few fresh sign-ups could otherwise take down anyone's post.
    open_flags = Flag.objects.open().on(item).filter(flagger__email_verified_at__isnull=False)
    if by.is_staff or open_flags.count() >= settings.FLAGS_TO_HIDE:
        item.hold(HoldReason.FLAGGED)
    else:
        announce(Flag, _post_id_of(item))  # the review count in the header changed
    return new_flag


def _resolve_flags(item, by, resolution: str) -> int:
    return (
        Flag.objects.open()
        .on(item)
        .update(resolved_at=timezone.now(), resolved_by=by, resolution=resolution)
    )


# -- review actions ------------------------------------------------------------------------


def approve(item, *, by) -> None:
    """The item is fine: shown (released from any hold), reviewed, its flags resolved."""
    _require_staff(by)
    with transaction.atomic():
        _resolve_flags(item, by, Flag.Resolution.APPROVED)
        _mark_reviewed(item)
        item.release()
    announce(type(item), _post_id_of(item))


def dismiss_flags(item, *, by) -> None:
    """The flags were wrong: resolved, and a hold they caused lifted."""
    _require_staff(by)
    with transaction.atomic():
        _resolve_flags(item, by, Flag.Resolution.DISMISSED)
        current = type(item).objects.values_list("held_reason", flat=True).get(pk=item.pk)
        if current == HoldReason.FLAGGED:
            item.release()
    announce(type(item), _post_id_of(item))


def delete(item, *, by) -> None:
    """Soft-delete the item (kept in the database, staff can restore a post), flags resolved."""
    _require_staff(by)
    with transaction.atomic():
        if isinstance(item, Comment):
            item.soft_delete()
        else:
            item.soft_delete(by=by)
        _resolve_flags(item, by, Flag.Resolution.DELETED)
        _mark_reviewed(item)
        if item.held_reason == HoldReason.FLAGGED:
            # Its flags are settled by the deletion: restored later, it shows, not held
            # with no flag left on /review/ to release it. (Deleted, it counts nowhere.)
            type(item).objects.filter(pk=item.pk).update(held_reason="", held_at=None)
            item.held_reason, item.held_at = "", None
    announce(type(item), _post_id_of(item))


def delete_and_suspend(item, *, by, reason: str = "") -> None:
    """Delete the item, suspend its author and hold all their other content."""
    _require_staff(by)
    with transaction.atomic():
        delete(item, by=by)
        suspend_member(item.author, by=by, reason=reason, hide_content=True)


def _mark_reviewed(item) -> None:
    if isinstance(item, Post):
        Post.objects.filter(pk=item.pk).update(needs_review=False)
        item.needs_review = False


# -- suspension ----------------------------------------------------------------------------


def suspend_member(member, *, by, reason: str = "", hide_content: bool = False) -> None:
    _require_staff(by)
    if member.is_staff:
        raise PermissionDenied("Staff accounts can't be suspended; remove staff status first.")
    with transaction.atomic():
        if member.suspended_at is None:
            member.suspended_at = timezone.now()
            transaction.on_commit(lambda: _tell_suspended(member))
        member.suspended_reason = " ".join(reason.split())[:500]
        member.save(update_fields=["suspended_at", "suspended_reason"])
        if hide_content:
            hide_all_content(member, by=by)


def _tell_suspended(member) -> None:
    """E-mail the member that they are suspended, and why (through the task queue), if they
    have an address that can receive it."""
    from django.template.loader import render_to_string

    from accounts.tasks import send_email
    from kb.emails import can_receive_email, site_url

    if not can_receive_email(member):
        return
    context = {"member": member, "url": site_url(member.get_absolute_url())}
    body = render_to_string("accounts/suspended_email.txt", context)
    try:
        send_email.enqueue("Your CareerKB account is suspended", body, member.email)
    except Exception:  # the suspension stands; the banner tells them when they log in
        logger.exception("Could not queue the suspension e-mail for member %s", member.pk)


def hide_all_content(member, *, by) -> int:
    """Hold every shown post and comment of the member: how many were hidden."""
    _require_staff(by)
    posts = Post.objects.filter(author=member, held_reason="", is_deleted=False)
    comments = Comment.objects.filter(author=member, held_reason="", is_deleted=False)
    with transaction.atomic():
        return sum(item.hold(HoldReason.SUSPENDED) for item in [*posts, *comments])


def unsuspend_member(member, *, by, release_content: bool = True) -> int:
    """Let the member post again; with ``release_content`` what the suspension hid comes
    back. Returns how many items were released."""
    _require_staff(by)
    with transaction.atomic():
        member.suspended_at = None
        member.suspended_reason = ""
        member.save(update_fields=["suspended_at", "suspended_reason"])
        if not release_content:
            return 0
        released = _release(member, HoldReason.SUSPENDED)
        if member.is_email_verified:  # verified while suspended: held until now
            released += release_unverified_content(member)
        return released


# -- the review queue ----------------------------------------------------------------------


def flagged_items() -> list[dict]:
    """Items with open flags, most flagged first: {"item", "kind", "flags", "reasons"}."""
    rows = (
        Flag.objects.open()
        .select_related(
            "flagger",
            "post__author",
            "post__parent",
            "comment__author",
            "comment__post__parent",
        )
        .order_by("-created_at", "-id")[:FLAG_ROWS_LIMIT]
    )
    items: dict[tuple[str, int], dict] = {}
    for row in rows:
        item = row.post or row.comment
        key = ("post" if row.post_id else "comment", item.pk)
        entry = items.setdefault(key, {"item": item, "kind": key[0], "flags": []})
        entry["flags"].append(row)
    for entry in items.values():
        entry["reasons"] = sorted({flag_row.get_reason_display() for flag_row in entry["flags"]})
    ranked = sorted(items.values(), key=lambda entry: -len(entry["flags"]))
    return ranked[:QUEUE_LIMIT]


def _first_posts_queryset():
    """New members' first posts, shown, not already listed as flagged."""
    open_flag = Flag.objects.open().filter(post=OuterRef("pk"))
    # "= true" (Value), not the bare column: SQLite then uses post_needs_review_idx.
    return Post.objects.visible().filter(needs_review=Value(True)).filter(~Exists(open_flag))


def first_posts() -> list[Post]:
    """New members' first posts, shown publicly, waiting to be looked at."""
    return list(
        _first_posts_queryset()
        .select_related("author", "parent")
        .order_by("-created_at", "-id")[:QUEUE_LIMIT]
    )


def held_unverified() -> list[Post | Comment]:
    """Posts and comments of unverified members, waiting for them to verify or for staff."""
    posts = (
        Post.objects.filter(held_reason=HoldReason.UNVERIFIED, is_deleted=False)
        .select_related("author", "parent")
        .order_by("-created_at", "-id")[:QUEUE_LIMIT]
    )
    comments = (
        Comment.objects.filter(held_reason=HoldReason.UNVERIFIED, is_deleted=False)
        .select_related("author", "post__parent")
        .order_by("-created_at", "-id")[:QUEUE_LIMIT]
    )
    return sorted([*posts, *comments], key=lambda item: item.created_at, reverse=True)


def pending_count() -> int:
    """How many items wait on /review/ (flagged, first posts, held unverified)."""
    flagged = Flag.objects.open().aggregate(
        posts=Count("post", distinct=True), comments=Count("comment", distinct=True)
    )
    first = _first_posts_queryset().count()
    held = Post.objects.filter(held_reason=HoldReason.UNVERIFIED, is_deleted=False).count()
    held += Comment.objects.filter(held_reason=HoldReason.UNVERIFIED, is_deleted=False).count()
    return flagged["posts"] + flagged["comments"] + first + held


def pending_count_cached() -> int:
    """``pending_count()`` under the content version: every review action announces."""
    from kb.cache import cached_fragment

    return cached_fragment("review-pending", pending_count)
