"""Keep the search index in step with the database: after each commit, never before.

Post saves and deletes are caught here; tag changes (m2m) too. Writes that send no signal
(``QuerySet.update()`` with F(), soft deletes by update) call
``kb.search.schedule_reindex(*ids)`` themselves.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from taggit.models import TaggedItem

from kb.models import Post
from kb.search import schedule_reindex


def _post_saved(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: rebuild_index afterwards
        return
    # An answer's accepted state and its question's answer count live on the question.
    # A question's answers are the search layer's to follow (kb.search.reindex_now).
    schedule_reindex(instance.pk, instance.parent_id)


def _post_deleted(sender, instance, **kwargs):
    schedule_reindex(instance.pk, *([instance.parent_id] if instance.parent_id else []))


def _tags_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Post):
        schedule_reindex(instance.pk)  # its answers follow when its tags changed


def connect() -> None:
    post_save.connect(_post_saved, sender=Post, dispatch_uid="kb-search-save")
    post_delete.connect(_post_deleted, sender=Post, dispatch_uid="kb-search-delete")
    m2m_changed.connect(_tags_changed, sender=TaggedItem, dispatch_uid="kb-search-tags")
