"""The search port (being built: see issue "Full-text search")."""

from django.db import transaction


def schedule_reindex(*post_ids: int) -> None:
    """Re-index these posts (or drop them when deleted) after the current transaction commits."""
    transaction.on_commit(lambda: None)
