"""Staff accounts (name + argon2 password hash, a role and a jurisdiction) and their sign-in
sessions (only a hash of the session id is kept, with its CSRF token).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE accounts (
            id serial PRIMARY KEY,
            name varchar(64) NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9_.@-]{2,64}$'),
            display_name text NOT NULL DEFAULT '' CHECK (length(display_name) <= 100),
            password_hash text NOT NULL,
            role varchar(16) NOT NULL CHECK (role IN ('dispatcher', 'planner', 'admin')),
            scope_code varchar(32) NOT NULL REFERENCES areas (code) ON UPDATE CASCADE,
            active boolean NOT NULL DEFAULT true,
            created_at timestamptz NOT NULL DEFAULT now(),
            created_by integer REFERENCES accounts (id),
            password_changed_at timestamptz NOT NULL DEFAULT now(),
            failed_sign_ins integer NOT NULL DEFAULT 0,
            locked_until timestamptz
        );
        CREATE TABLE sessions (
            id_hash char(64) PRIMARY KEY,
            account_id integer NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            csrf varchar(64) NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            expires_at timestamptz NOT NULL
        );
        CREATE INDEX sessions_account_idx ON sessions (account_id);
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE sessions; DROP TABLE accounts")
