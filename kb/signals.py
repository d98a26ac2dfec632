"""Cross-cutting hooks: any write to shown content invalidates the anonymous page cache.

Writes made with ``QuerySet.update()`` send no signal: call
``kb.cache.bump_content_version()`` after those (accept, soft delete by update, ...).
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save
from taggit.models import Tag, TaggedItem

from kb.cache import bump_content_version
from kb.models import Comment, Post, PostLink, TagInfo, TagSynonym, Vote

CONTENT_MODELS = (Post, Vote, Comment, TagInfo, TagSynonym, PostLink, Tag, TaggedItem)


def _content_changed(sender, **kwargs):
    bump_content_version()


def _user_changed(sender, update_fields=None, **kwargs):
    # A log-in saves last_login only; that changes no page, so it keeps the cache.
    if update_fields and set(update_fields) <= {"last_login"}:
        return
    bump_content_version()


def connect() -> None:
    for model in CONTENT_MODELS:
        post_save.connect(_content_changed, sender=model, dispatch_uid=f"kb-cache-save-{model}")
        post_delete.connect(_content_changed, sender=model, dispatch_uid=f"kb-cache-delete-{model}")
    m2m_changed.connect(_content_changed, sender=TaggedItem, dispatch_uid="kb-cache-tags")
    post_save.connect(_user_changed, sender=get_user_model(), dispatch_uid="kb-cache-user")
