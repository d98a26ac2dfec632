"""Moderation in the Django admin: find spam by text, author or source, and hide it.

Every change goes through the domain methods, as on the site (DESIGN.md, "After a write:
one event"): hiding and restoring posts and comments, withdrawing votes. Posts and votes
are never hard-deleted here, since their counters and reputation would go stale; nor are
they edited in forms, which would bypass revisions and the content-changed event (staff
edit posts on the site, which keeps the revision).
"""

from django.contrib import admin, messages
from django.db import models, transaction
from django.utils.text import Truncator

from kb import moderation, permissions
from kb.advice_models import CanonicalAnswer, Outcome
from kb.email_models import DigestSent, EmailPreference
from kb.flag_models import Flag
from kb.inbox_models import Bookmark, Notification, QuestionFollow, TagFollow
from kb.models import (
    CareerMove,
    Comment,
    Post,
    PostLink,
    Revision,
    RoleSynonym,
    TagInfo,
    TagSynonym,
    Vote,
)


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Listed, searched and viewed; changed only through the actions (domain methods)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(description="Soft-delete (hide) selected posts", permissions=["view"])
def soft_delete_posts(modeladmin, request, queryset):
    # One transaction: a failure half-way hides nothing. Each post through soft_delete, so
    # an accepted answer is unaccepted and its +15 taken back exactly as on the site.
    with transaction.atomic():
        posts = [
            post
            for post in queryset.select_related("parent")
            if permissions.can_delete(request.user, post)
        ]
        for post in posts:
            post.soft_delete(by=request.user)
    modeladmin.message_user(request, f"{len(posts)} post(s) hidden.", messages.SUCCESS)


@admin.action(description="Restore selected posts", permissions=["view"])
def restore_posts(modeladmin, request, queryset):
    with transaction.atomic():
        posts = [post for post in queryset if permissions.can_restore(request.user, post)]
        for post in posts:
            post.restore(by=request.user)
    modeladmin.message_user(request, f"{len(posts)} post(s) restored.", messages.SUCCESS)


@admin.action(description="Approve (show, mark reviewed, resolve flags)", permissions=["view"])
def approve_items(modeladmin, request, queryset):
    if not request.user.is_staff:
        return
    with transaction.atomic():
        items = list(queryset)
        for item in items:
            moderation.approve(item, by=request.user)
    modeladmin.message_user(request, f"{len(items)} item(s) approved.", messages.SUCCESS)


@admin.register(Post)
class PostAdmin(_ReadOnlyAdmin):
    list_display = [
        "id",
        "kind",
        "title_or_excerpt",
        "author",
        "is_anonymous",
        "score",
        "answer_count",
        "is_deleted",
        "held_reason",
        "created_at",
    ]
    list_display_links = ["id", "title_or_excerpt"]
    # Staff see who asked anonymously: the author column and this flag, side by side.
    list_filter = [
        "kind",
        "is_deleted",
        "is_anonymous",
        "held_reason",
        "needs_review",
        "created_at",
        "source",
    ]
    readonly_fields = ["is_anonymous"]
    search_fields = ["title", "body", "author__username", "author__display_name"]
    date_hierarchy = "created_at"
    list_select_related = ["author"]
    list_per_page = 50
    actions = [soft_delete_posts, restore_posts, approve_items]
    # The view-only page still builds a form: say the scheme Django 6 will assume.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="Title / excerpt", ordering="title")
    def title_or_excerpt(self, post):
        return post.title or Truncator(post.body).chars(80)


@admin.action(description="Delete (hide) selected comments", permissions=["view"])
def delete_comments(modeladmin, request, queryset):
    with transaction.atomic():
        hidden = sum(comment.soft_delete() for comment in queryset.filter(is_deleted=False))
    modeladmin.message_user(request, f"{hidden} comment(s) deleted.", messages.SUCCESS)


@admin.action(description="Restore selected comments", permissions=["view"])
def restore_comments(modeladmin, request, queryset):
    with transaction.atomic():
        shown = sum(comment.restore() for comment in queryset.filter(is_deleted=True))
    modeladmin.message_user(request, f"{shown} comment(s) restored.", messages.SUCCESS)


@admin.register(Comment)
class CommentAdmin(_ReadOnlyAdmin):
    list_display = [
        "id",
        "excerpt",
        "author",
        "is_anonymous",
        "post",
        "is_deleted",
        "held_reason",
        "created_at",
    ]
    list_filter = ["is_deleted", "is_anonymous", "held_reason", "created_at", "source"]
    readonly_fields = ["is_anonymous"]
    search_fields = ["body", "author__username"]
    raw_id_fields = ["post", "author"]
    list_select_related = ["author", "post"]
    actions = [delete_comments, restore_comments, approve_items]

    @admin.display(description="Comment")
    def excerpt(self, comment):
        return Truncator(comment.body).chars(80)


@admin.action(
    description="Withdraw selected votes (score and reputation follow)", permissions=["view"]
)
def withdraw_votes(modeladmin, request, queryset):
    # Through cast_vote, as the voter's own withdrawal: score and reputation stay exact.
    with transaction.atomic():
        votes = list(queryset.select_related("post", "user"))
        for vote in votes:
            vote.post.cast_vote(vote.user, Vote.NONE)
    modeladmin.message_user(request, f"{len(votes)} vote(s) withdrawn.", messages.SUCCESS)


@admin.register(Vote)
class VoteAdmin(_ReadOnlyAdmin):
    list_display = ["id", "user", "post", "value", "created_at"]
    list_filter = ["value", "created_at"]
    search_fields = ["user__username", "post__title"]
    list_select_related = ["user", "post"]
    actions = [withdraw_votes]


@admin.register(Revision)
class RevisionAdmin(_ReadOnlyAdmin):
    """History is evidence: moderators read it, nobody rewrites it."""

    list_display = ["id", "post", "editor", "created_at", "title"]
    list_filter = ["created_at"]
    search_fields = ["title", "body", "editor__username"]
    list_select_related = ["post", "editor"]


@admin.register(TagInfo)
class TagInfoAdmin(admin.ModelAdmin):
    list_display = ["tag", "short_description", "updated_at", "updated_by"]
    search_fields = ["tag__name", "description"]
    raw_id_fields = ["tag", "updated_by"]
    list_select_related = ["tag", "updated_by"]

    @admin.display(description="Description")
    def short_description(self, info):
        return Truncator(info.description).chars(80)


@admin.register(TagSynonym)
class TagSynonymAdmin(admin.ModelAdmin):
    list_display = ["source", "target", "created_at"]
    search_fields = ["source", "target__name"]
    raw_id_fields = ["target"]
    list_select_related = ["target"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        obj.retag_existing_posts()


@admin.register(PostLink)
class PostLinkAdmin(admin.ModelAdmin):
    list_display = ["id", "from_post", "kind", "to_post", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["from_post", "to_post"]
    list_select_related = ["from_post", "to_post"]


# -- the community loop: who hears what (read-only: the domain writes these) --------------


@admin.register(Notification)
class NotificationAdmin(_ReadOnlyAdmin):
    list_display = [
        "id",
        "recipient",
        "kind",
        "actor",
        "post",
        "created_at",
        "read_at",
        "emailed_at",
    ]
    list_filter = ["kind", "created_at"]
    search_fields = ["recipient__username", "actor__username", "post__title"]
    list_select_related = ["recipient", "actor", "post"]


@admin.register(QuestionFollow, Bookmark)
class QuestionFollowAdmin(_ReadOnlyAdmin):
    list_display = ["id", "user", "question", "created_at"]
    search_fields = ["user__username", "question__title"]
    list_select_related = ["user", "question"]


@admin.register(TagFollow)
class TagFollowAdmin(_ReadOnlyAdmin):
    list_display = ["id", "user", "tag", "created_at"]
    search_fields = ["user__username", "tag__name"]
    list_select_related = ["user", "tag"]


# -- career paths -----------------------------------------------------------------------


@admin.register(RoleSynonym)
class RoleSynonymAdmin(admin.ModelAdmin):
    """Synonyms added to the shipped defaults (kb/paths.py); saving one re-files the roles
    already saved under its source."""

    list_display = ["source", "target", "created_at", "created_by"]
    search_fields = ["source", "target"]
    fields = ["source", "target"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        renamed = obj.rename_existing()
        if renamed:
            self.message_user(
                request, f"{renamed} post(s) and member(s) re-filed under “{obj.target}”."
            )


@admin.register(CareerMove)
class CareerMoveAdmin(_ReadOnlyAdmin):
    """Authors edit their moves with their posts (revisions kept); here they are looked up."""

    list_display = ["post", "from_role", "to_role", "years_taken", "size_before", "size_after"]
    search_fields = ["from_role", "to_role", "decision", "post__title"]
    list_select_related = ["post"]


@admin.register(Flag)
class FlagAdmin(_ReadOnlyAdmin):
    """Members' flags; staff act on them on /review/ (or approve the item from its list)."""

    list_display = ["id", "reason", "post", "comment", "flagger", "created_at", "resolution"]
    list_filter = ["reason", "resolution", "created_at"]
    search_fields = ["note", "flagger__username"]
    list_select_related = ["post", "comment", "flagger"]
    date_hierarchy = "created_at"


@admin.register(EmailPreference)
class EmailPreferenceAdmin(_ReadOnlyAdmin):
    """Members choose on their settings page or by an unsubscribe link, not staff."""

    list_display = ["id", "user", "kind", "frequency", "updated_at"]
    list_filter = ["kind", "frequency"]
    search_fields = ["user__username"]
    list_select_related = ["user"]


@admin.register(DigestSent)
class DigestSentAdmin(_ReadOnlyAdmin):
    list_display = ["id", "user", "period", "period_start", "notification_count", "sent_at"]
    list_filter = ["period", "period_start"]
    search_fields = ["user__username"]
    list_select_related = ["user"]


@admin.register(Outcome)
class OutcomeAdmin(_ReadOnlyAdmin):
    """Askers write and edit outcomes on the question page; here they are looked up."""

    list_display = ["question", "author", "created_at", "edited_at"]
    search_fields = ["body", "question__title", "author__username"]
    list_select_related = ["question", "author"]
    date_hierarchy = "created_at"


@admin.action(description="Unmark (the tag has no start-here answer)", permissions=["view"])
def unmark_canonical(modeladmin, request, queryset):
    unmarked = sum(
        CanonicalAnswer.unmark(canonical.tag, by=request.user)
        for canonical in queryset.select_related("tag")
        if permissions.can_manage_canonical(request.user)
    )
    modeladmin.message_user(request, f"{unmarked} start-here answer(s) unmarked.", messages.SUCCESS)


@admin.register(CanonicalAnswer)
class CanonicalAnswerAdmin(_ReadOnlyAdmin):
    """Marked on the answer itself ("Start here for …"); unmarked there or here."""

    list_display = ["tag", "answer", "marked_by", "marked_at"]
    search_fields = ["tag__name", "answer__parent__title"]
    list_select_related = ["tag", "answer__parent", "marked_by"]
    actions = [unmark_canonical]
