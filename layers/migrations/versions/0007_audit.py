"""An append-only record of every staff read of personal data and every write (PIPL,
GB/T 35273 processing records): who, when, what, in which scope, how many rows. The
database itself refuses to change or remove a row.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE audit_log (
            id bigserial PRIMARY KEY,
            at timestamptz NOT NULL DEFAULT now(),
            actor varchar(80) NOT NULL,
            role varchar(16) NOT NULL,
            scope_code varchar(32),
            action varchar(16) NOT NULL
                CHECK (action IN ('read', 'write', 'export', 'sign_in', 'sign_out', 'admin')),
            target text NOT NULL,
            rows integer NOT NULL DEFAULT 0 CHECK (rows >= 0),
            detail text
        );
        CREATE INDEX audit_log_at_idx ON audit_log (at);
        CREATE INDEX audit_log_scope_idx ON audit_log (scope_code, id);
        CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_log is append-only: rows cannot be changed or removed';
        END $$;
        CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
        CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
            FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE audit_log; DROP FUNCTION audit_log_append_only()")
