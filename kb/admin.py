"""Moderation in the Django admin: find spam by text, author or source, and hide it."""

from django.contrib import admin, messages
from django.db.models import F
from django.utils import timezone
from django.utils.text import Truncator

from kb.cache import bump_content_version
from kb.models import Comment, Post, PostLink, Revision, TagInfo, TagSynonym, Vote
from kb.search import schedule_reindex


def _set_post_deleted(modeladmin, request, queryset, deleted: bool) -> None:
    posts = list(queryset.filter(is_deleted=not deleted).values_list("id", "parent_id"))
    ids = [post_id for post_id, _ in posts]
    Post.objects.filter(pk__in=ids).update(
        is_deleted=deleted,
        deleted_at=timezone.now() if deleted else None,
        deleted_by=request.user if deleted else None,
    )
    change = -1 if deleted else 1
    for _, parent_id in posts:
        if parent_id:
            # F() so an answer posted meanwhile is not lost from the counter.
            Post.objects.filter(pk=parent_id).update(answer_count=F("answer_count") + change)
    if ids:
        schedule_reindex(*ids)
    bump_content_version()  # a bulk update sends no signal
    verb = "hidden" if deleted else "restored"
    modeladmin.message_user(request, f"{len(ids)} post(s) {verb}.", messages.SUCCESS)


@admin.action(description="Soft-delete (hide) selected posts")
def soft_delete_posts(modeladmin, request, queryset):
    _set_post_deleted(modeladmin, request, queryset, deleted=True)


@admin.action(description="Restore selected posts")
def restore_posts(modeladmin, request, queryset):
    _set_post_deleted(modeladmin, request, queryset, deleted=False)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "title_or_excerpt",
        "author",
        "score",
        "answer_count",
        "is_deleted",
        "created_at",
    ]
    list_display_links = ["id", "title_or_excerpt"]
    list_filter = ["kind", "is_deleted", "created_at", "source"]
    search_fields = ["title", "body", "author__username", "author__display_name"]
    raw_id_fields = ["author", "parent", "accepted_answer", "deleted_by"]
    readonly_fields = ["body_html", "score", "answer_count", "comment_count", "view_count"]
    date_hierarchy = "created_at"
    list_select_related = ["author"]
    list_per_page = 50
    actions = [soft_delete_posts, restore_posts]

    @admin.display(description="Title / excerpt", ordering="title")
    def title_or_excerpt(self, post):
        return post.title or Truncator(post.body).chars(80)


def _set_comments_deleted(modeladmin, request, queryset, deleted: bool) -> None:
    comments = list(queryset.filter(is_deleted=not deleted).values_list("id", "post_id"))
    Comment.objects.filter(pk__in=[pk for pk, _ in comments]).update(is_deleted=deleted)
    change = -1 if deleted else 1
    for _, post_id in comments:
        # F() so a comment posted meanwhile is not lost from the counter.
        Post.objects.filter(pk=post_id).update(comment_count=F("comment_count") + change)
    bump_content_version()  # a bulk update sends no signal
    verb = "deleted" if deleted else "restored"
    modeladmin.message_user(request, f"{len(comments)} comment(s) {verb}.", messages.SUCCESS)


@admin.action(description="Delete (hide) selected comments")
def delete_comments(modeladmin, request, queryset):
    _set_comments_deleted(modeladmin, request, queryset, deleted=True)


@admin.action(description="Restore selected comments")
def restore_comments(modeladmin, request, queryset):
    _set_comments_deleted(modeladmin, request, queryset, deleted=False)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "excerpt", "author", "post", "is_deleted", "created_at"]
    list_filter = ["is_deleted", "created_at", "source"]
    search_fields = ["body", "author__username"]
    raw_id_fields = ["post", "author"]
    list_select_related = ["author", "post"]
    actions = [delete_comments, restore_comments]

    @admin.display(description="Comment")
    def excerpt(self, comment):
        return Truncator(comment.body).chars(80)


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "post", "value", "created_at"]
    list_filter = ["value", "created_at"]
    search_fields = ["user__username", "post__title"]
    raw_id_fields = ["post", "user"]
    list_select_related = ["user", "post"]


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["id", "post", "editor", "created_at", "title"]
    list_filter = ["created_at"]
    search_fields = ["title", "body", "editor__username"]
    list_select_related = ["post", "editor"]

    # History is evidence: moderators read it, nobody rewrites it.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
        moved = obj.retag_existing_posts()
        if moved:
            schedule_reindex(*moved)
        bump_content_version()


@admin.register(PostLink)
class PostLinkAdmin(admin.ModelAdmin):
    list_display = ["id", "from_post", "kind", "to_post", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["from_post", "to_post"]
    list_select_related = ["from_post", "to_post"]
