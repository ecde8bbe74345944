"""Tokens expire (90 days by default, set when created) and can be rotated.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE tokens ADD COLUMN expires_at timestamptz;
        UPDATE tokens SET expires_at = created_at + interval '90 days';
        ALTER TABLE tokens ALTER COLUMN expires_at SET NOT NULL;
        ALTER TABLE tokens ADD COLUMN rotated_to integer REFERENCES tokens (id);
        """
    )


def downgrade() -> None:
    op.execute("ALTER TABLE tokens DROP COLUMN rotated_to, DROP COLUMN expires_at")
