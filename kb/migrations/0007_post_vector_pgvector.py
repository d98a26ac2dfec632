"""On PostgreSQL with pgvector 0.8+: PostVector.embedding, the vector column as pgvector's type,
its HNSW index and kb_nearest_posts(), the query kb/search/pgvectors.py calls.

A generated column, so it can never disagree with ``vector`` (the truth, float32 bytes): every
writer of ``vector`` rewrites it, a tombstone's is NULL. Unknown to Django's model. A no-op on
SQLite and where the extension cannot be created: the vectors are then searched in each
process's memory.
"""

from django.db import migrations

DIMENSIONS = 384

# Little-endian float32 bytes to a vector: sign, exponent and mantissa of each float by
# arithmetic (PostgreSQL has no cast that reinterprets bytes as a float), exact for every
# finite value. {schema} is the extension's, so the function works whatever the search_path.
TO_VECTOR = """
CREATE OR REPLACE FUNCTION kb_float4le_to_vector(data bytea) RETURNS {schema}.vector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT array_agg(
    CASE WHEN e = 0 THEN (1 - 2 * s) * m * 2::float8 ^ -149
         ELSE (1 - 2 * s) * (m + 8388608) * 2::float8 ^ (e - 150) END
    ORDER BY i)::{schema}.vector
  FROM (
    SELECT i, b3 >> 7 AS s, ((b3 & 127) << 1) | (b2 >> 7) AS e,
           ((b2 & 127) << 16) | (b1 << 8) | b0 AS m
    FROM (
      SELECT i, get_byte(data, 4 * i) AS b0, get_byte(data, 4 * i + 1) AS b1,
             get_byte(data, 4 * i + 2) AS b2, get_byte(data, 4 * i + 3) AS b3
      FROM generate_series(0, length(data) / 4 - 1) AS i
    ) AS bytes
  ) AS parts
$$
"""
ADD_COLUMN = """
ALTER TABLE kb_postvector ADD COLUMN IF NOT EXISTS embedding {schema}.vector({dimensions})
GENERATED ALWAYS AS (kb_float4le_to_vector(vector)) STORED
"""
ADD_INDEX = """
CREATE INDEX IF NOT EXISTS kb_postvector_embedding_hnsw
ON kb_postvector USING hnsw (embedding {schema}.vector_cosine_ops)
"""

# ef_search: candidates kept by the index walk (pgvector's default is 40); iterative scans
# walk on while the filters drop candidates, so k still fill. Planned per call (EXECUTE), so
# the planner sees the LIMIT and picks the index. SET clauses end with the call.
NEAREST = """
CREATE OR REPLACE FUNCTION kb_nearest_posts(
  query {schema}.vector, kinds text[], exclude bigint[], k integer
) RETURNS TABLE (post_id bigint, cosine double precision)
LANGUAGE plpgsql STABLE
SET hnsw.ef_search = 200 SET hnsw.iterative_scan = strict_order
AS $$
BEGIN
  RETURN QUERY EXECUTE
    'SELECT p.post_id, 1 - (p.embedding OPERATOR({schema}.<=>) $1) FROM kb_postvector p'
    ' WHERE p.embedding IS NOT NULL AND p.kind = ANY($2) AND p.post_id <> ALL($3)'
    ' ORDER BY p.embedding OPERATOR({schema}.<=>) $1 LIMIT $4'
    USING query, kinds, exclude, k;
END
$$
"""
MIN_VERSION = (0, 8)  # iterative index scans


def _create_extension(cursor) -> str | None:
    """The schema of the vector extension, created if it can be; None where it cannot."""
    cursor.execute("SAVEPOINT kb_pgvector")
    try:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except Exception:  # not installed, or no right to create it: the in-memory search serves
        cursor.execute("ROLLBACK TO SAVEPOINT kb_pgvector")
        return None
    cursor.execute("RELEASE SAVEPOINT kb_pgvector")
    cursor.execute(
        "SELECT quote_ident(nspname), extversion FROM pg_extension JOIN pg_namespace n"
        " ON n.oid = extnamespace WHERE extname = 'vector'"
    )
    schema, version = cursor.fetchone()
    numbers = tuple(int(part) for part in version.split(".") if part.isdigit())
    return schema if numbers >= MIN_VERSION else None


def add_embedding(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        schema = _create_extension(cursor)
        if schema is not None:
            _add(cursor, schema)
    _tell_this_process()


def _add(cursor, schema: str) -> None:
    # The graph of 100k vectors fits in about 250 MB; built on disk it takes far longer.
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    for sql in (TO_VECTOR, ADD_COLUMN, ADD_INDEX, NEAREST):
        cursor.execute(sql.format(schema=schema, dimensions=DIMENSIONS))


def _tell_this_process():
    """Spare this process (the test run that migrated its database) asking again."""
    from kb.search import pgvectors

    pgvectors.forget()
    pgvectors.usable()


def remove_embedding(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP FUNCTION IF EXISTS kb_nearest_posts")
        cursor.execute("ALTER TABLE kb_postvector DROP COLUMN IF EXISTS embedding")
        cursor.execute("DROP FUNCTION IF EXISTS kb_float4le_to_vector(bytea)")
    _tell_this_process()


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0006_post_vector"),
    ]

    operations = [
        migrations.RunPython(add_embedding, remove_embedding, elidable=False),
    ]
