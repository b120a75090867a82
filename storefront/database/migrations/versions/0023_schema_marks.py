"""schema marks: what each mark in alembic_version stands for in the other branches, so a
plugin's mark that absorbed the core's head (its migration depends on it) can be replaced by
that head once the plugin is uninstalled

Revision ID: 0023
Revises: 0022
"""
import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schema_mark",
        sa.Column("mark", sa.String(64), primary_key=True),
        sa.Column("implies", sa.String(2000), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("schema_mark")
