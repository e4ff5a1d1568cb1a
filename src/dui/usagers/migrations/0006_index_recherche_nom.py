"""Indexes for the search box on PostgreSQL (measured by bench/search_bench.py).

`queries.search_q` looks for each typed word at the start of `nom_normalise` (LIKE 'X%') or
at the start of a later word (LIKE '% X%'). Under a non-C collation a plain b-tree serves
neither; a trigram GIN index serves both, and a varchar_pattern_ops b-tree serves the prefix
exactly. SQLite has no such index types and keeps the plain index of 0003.

pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it. When it
cannot be created (no contrib package, no right), the migration says so and only adds the
prefix index: the search stays correct, only slower.
"""

from django.db import migrations

TRGM_INDEX = "usagers_usager_nom_normalise_trgm"
PATTERN_INDEX = "usagers_usager_nom_normalise_prefix"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {PATTERN_INDEX} "
            "ON usagers_usager (nom_normalise varchar_pattern_ops)"
        )
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'), "
            "EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'), "
            "has_database_privilege(current_database(), 'CREATE')"
        )
        installed, available, may_create = cursor.fetchone()
        if not installed and not (available and may_create):
            print(
                "\n  Extension pg_trgm indisponible : la recherche par nom fonctionne, "
                "mais sans index trigramme (voir docs/performance.md)."
            )
            return
        if not installed:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {TRGM_INDEX} "
            "ON usagers_usager USING gin (nom_normalise gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {TRGM_INDEX}")
        cursor.execute(f"DROP INDEX IF EXISTS {PATTERN_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("usagers", "0005_parcours_entourage_droits")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
