"""Keep the search index and the vectors in step with the database, after each commit.

Domain writes arrive as ``kb.events.content_changed`` with the ids of the posts whose
search document changed; ``schedule_reindex`` runs after the commit, once for all the
posts of a transaction, and a failed index update is logged, never losing the post (the
database is the truth: ``rebuild_index`` restores the index). Hard deletes, which only
happen by cascade (an account deleted) or from a shell, are caught by ``post_delete``.
"""

import logging

from django.db import transaction
from django.db.models.signals import post_delete

from kb import search
from kb.events import content_changed
from kb.models import Post

logger = logging.getLogger("kb.search")


def _content_changed(sender, post_ids=frozenset(), all_posts=False, **kwargs):
    if all_posts:
        transaction.on_commit(_rebuild_logged)
    else:
        search.schedule_reindex(*post_ids)


def _rebuild_logged() -> None:
    try:
        search.rebuild_from_database()
    except Exception:
        # The import is committed: the database is the truth, rebuild_index restores the index.
        logger.exception("Rebuilding the search index after an import failed")


def _post_deleted(sender, instance, **kwargs):
    search.schedule_reindex(instance.pk, *([instance.parent_id] if instance.parent_id else []))


def connect() -> None:
    content_changed.connect(_content_changed, dispatch_uid="kb-search-content")
    post_delete.connect(_post_deleted, sender=Post, dispatch_uid="kb-search-delete")
