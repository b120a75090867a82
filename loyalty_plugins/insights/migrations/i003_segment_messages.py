"""insights plugin: messages written to the members of a segment

Revision ID: i003
Revises: i002
"""
import sqlalchemy as sa
from alembic import op

revision = "i003"
down_revision = "i002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "insights_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("segment", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(150), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sender", sa.String(254), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("insights_message")
