"""The PostgreSQL search table gets ``shingles``: its vector's adjacent lexeme pairs.

A phrase search narrows to the posts holding all the phrase's pairs (GIN index) before
verifying the phrase, instead of reading the vector of every post holding its words
(kb.search.postgres_backend). Existing rows are filled from their stored vectors, so no
re-index is needed. PostgreSQL only: on SQLite there is no such table.
"""

from django.db import migrations

# Frozen copy of kb.search.postgres_backend.pairs_sql("vector") at the time of writing.
PAIRS_SQL = """ARRAY(
        WITH token AS (SELECT lexeme, unnest(positions) AS pos FROM unnest(vector))
        SELECT DISTINCT hashtext(a.lexeme || ' ' || b.lexeme) & 1048575
        FROM token a JOIN token b ON b.pos = a.pos + 1)"""

FORWARD_SQL = [
    "ALTER TABLE kb_searchdocument ADD COLUMN IF NOT EXISTS shingles integer[] NOT NULL "
    "DEFAULT '{}'",
    # Body, vector and shingles out of line: the rows index scans visit stay small. The
    # UPDATE rewrites every row, so existing rows get it too.
    "ALTER TABLE kb_searchdocument SET (toast_tuple_target = 512)",
    f"UPDATE kb_searchdocument SET shingles = {PAIRS_SQL}",
    "CREATE INDEX IF NOT EXISTS kb_searchdocument_shingles ON kb_searchdocument "
    "USING gin (shingles)",
    "ANALYZE kb_searchdocument",
]


def add_shingles(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD_SQL:
            schema_editor.execute(statement)


def drop_shingles(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS kb_searchdocument_shingles")
        schema_editor.execute("ALTER TABLE kb_searchdocument DROP COLUMN IF EXISTS shingles")


class Migration(migrations.Migration):
    dependencies = [("kb", "0004_body_format")]

    operations = [migrations.RunPython(add_shingles, drop_shingles)]
