"""The page cache follows content: every change invalidates the cached anonymous pages.

Domain writes (posts, votes, comments, accepts, retagging, imports) arrive as the
``kb.events.content_changed`` event. The model signals below remain only for writes that do
not go through a domain method:

- a member's profile (accounts: a display name shows on every page they posted on);
- tag descriptions, synonyms and post links, edited with plain model forms (tag pages,
  the admin), and taggit's own Tag admin (renames and tagged items);
- hard deletes of posts, votes and comments, which only happen by cascade (an account
  deleted) or from a shell: the admin no longer hard-deletes them.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save
from taggit.models import Tag, TaggedItem

from kb.cache import bump_content_version
from kb.events import content_changed
from kb.models import Comment, Post, PostLink, RoleSynonym, TagInfo, TagSynonym, Vote

EDITED_OUTSIDE_THE_DOMAIN = (TagInfo, TagSynonym, RoleSynonym, PostLink, Tag, TaggedItem)
DELETED_BY_CASCADE = (Post, Vote, Comment)


def _content_changed(sender, **kwargs):
    bump_content_version()


def _user_changed(sender, update_fields=None, **kwargs):
    # A log-in saves last_login only; that changes no page, so it keeps the cache.
    if update_fields and set(update_fields) <= {"last_login"}:
        return
    bump_content_version()


def connect() -> None:
    content_changed.connect(_content_changed, dispatch_uid="kb-cache-content")
    for model in EDITED_OUTSIDE_THE_DOMAIN:
        post_save.connect(_content_changed, sender=model, dispatch_uid=f"kb-cache-save-{model}")
        post_delete.connect(_content_changed, sender=model, dispatch_uid=f"kb-cache-delete-{model}")
    for model in DELETED_BY_CASCADE:
        post_delete.connect(_content_changed, sender=model, dispatch_uid=f"kb-cache-delete-{model}")
    m2m_changed.connect(_content_changed, sender=TaggedItem, dispatch_uid="kb-cache-tags")
    post_save.connect(_user_changed, sender=get_user_model(), dispatch_uid="kb-cache-user")
