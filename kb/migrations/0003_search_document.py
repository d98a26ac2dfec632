"""The PostgreSQL search engine's table (kb.search.postgres_backend): PostgreSQL only.

On SQLite nothing is created: that database uses the Whoosh or tantivy engine.
"""

from django.db import migrations

TABLE_SQL = [
    """CREATE TABLE IF NOT EXISTS kb_searchdocument (
        post_id bigint PRIMARY KEY,
        kind varchar(10) NOT NULL,
        title text NOT NULL,
        body text NOT NULL,
        url text NOT NULL,
        tags text[] NOT NULL,
        author varchar(150) NOT NULL,
        author_name text NOT NULL,
        score integer NOT NULL,
        answer_count integer NOT NULL,
        accepted boolean NOT NULL,
        created_at timestamptz NOT NULL,
        parent_id bigint NULL,
        parent_title text NOT NULL,
        fingerprint varchar(16) NOT NULL,
        vector tsvector NOT NULL,
        title_vector tsvector NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS kb_searchdocument_vector ON kb_searchdocument USING gin (vector)",
    "CREATE INDEX IF NOT EXISTS kb_searchdocument_title ON kb_searchdocument USING gin (title_vector)",
    "CREATE INDEX IF NOT EXISTS kb_searchdocument_tags ON kb_searchdocument USING gin (tags)",
    "CREATE INDEX IF NOT EXISTS kb_searchdocument_created ON kb_searchdocument (created_at DESC)",
    "CREATE INDEX IF NOT EXISTS kb_searchdocument_score ON kb_searchdocument (score DESC)",
]


def create_table(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in TABLE_SQL:
            schema_editor.execute(statement)


def drop_table(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS kb_searchdocument")


class Migration(migrations.Migration):
    dependencies = [("kb", "0002_browse_indexes")]

    operations = [migrations.RunPython(create_table, drop_table)]
