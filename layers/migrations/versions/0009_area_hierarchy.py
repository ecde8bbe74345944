"""The full administrative hierarchy: province → city → district/county → street/township →
community/village. A parent is exactly one level above its child (the database refuses
anything else), and each area keeps the codes of its ancestors (`path`), so a jurisdiction
at any level is one test: the scope's code is in the row's community's path.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Frozen here (a migration must not change when the vocabulary does later).
RANKS = {
    "province": 0, "city": 1, "district": 2, "county": 2,
    "street": 3, "township": 3, "community": 4, "village": 4,
}  # fmt: skip


def upgrade() -> None:
    levels = ", ".join(f"'{level}'" for level in RANKS)
    cases = " ".join(f"WHEN '{level}' THEN {rank}" for level, rank in RANKS.items())
    op.execute(
        f"""
        ALTER TABLE areas DROP CONSTRAINT areas_level_check;
        ALTER TABLE areas ADD CONSTRAINT areas_level_check CHECK (level IN ({levels}));
        ALTER TABLE areas ADD COLUMN path text[] NOT NULL DEFAULT '{{}}';
        CREATE FUNCTION area_rank(level text) RETURNS integer LANGUAGE sql IMMUTABLE
            AS $$ SELECT CASE level {cases} END $$;

        CREATE FUNCTION areas_parent_one_level_up() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE parent_level text;
        BEGIN
            IF NEW.parent_code IS NULL THEN RETURN NEW; END IF;
            SELECT level INTO parent_level FROM areas WHERE code = NEW.parent_code;
            IF parent_level IS NOT NULL
               AND area_rank(parent_level) <> area_rank(NEW.level) - 1 THEN
                RAISE EXCEPTION 'area %: a % cannot lie in a % (%)', NEW.code, NEW.level,
                    parent_level, NEW.parent_code USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER areas_parent_level BEFORE INSERT OR UPDATE OF level, parent_code
            ON areas FOR EACH ROW EXECUTE FUNCTION areas_parent_one_level_up();

        CREATE FUNCTION areas_refresh_paths() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            WITH RECURSIVE tree AS (
                SELECT code, ARRAY[code]::text[] AS path FROM areas WHERE parent_code IS NULL
                UNION ALL
                SELECT a.code, t.path || a.code::text FROM areas a JOIN tree t
                    ON a.parent_code = t.code)
            UPDATE areas a SET path = tree.path FROM tree
            WHERE a.code = tree.code AND a.path IS DISTINCT FROM tree.path;
            RETURN NULL;
        END $$;
        CREATE TRIGGER areas_paths AFTER INSERT OR DELETE OR UPDATE OF code, parent_code
            ON areas FOR EACH STATEMENT EXECUTE FUNCTION areas_refresh_paths();
        UPDATE areas SET parent_code = parent_code;  -- fills every path once
        """
    )


def downgrade() -> None:
    op.execute(
        """
        DROP TRIGGER areas_paths ON areas; DROP FUNCTION areas_refresh_paths();
        DROP TRIGGER areas_parent_level ON areas; DROP FUNCTION areas_parent_one_level_up();
        DROP FUNCTION area_rank(text);
        ALTER TABLE areas DROP COLUMN path;
        """
    )
