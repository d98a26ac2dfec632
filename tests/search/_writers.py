"""Run in child processes by test_consistency: each writes its own documents one by one."""

import os


def write_documents(engine: str, index_dir: str, first_id: int, count: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
    import django

    django.setup()
    from pathlib import Path

    from kb.search.documents import SearchDocument

    if engine == "whoosh":
        from kb.search.whoosh_backend import WhooshBackend

        backend = WhooshBackend(Path(index_dir) / "whoosh")
    else:
        from kb.search.tantivy_backend import TantivyBackend

        backend = TantivyBackend(Path(index_dir) / "tantivy")
    for post_id in range(first_id, first_id + count):
        backend.index_documents(
            [
                SearchDocument(
                    id=post_id,
                    kind="question",
                    title=f"Concurrent post {post_id}",
                    body="written while other processes write too",
                    url=f"/questions/{post_id}/x/",
                )
            ]
        )
