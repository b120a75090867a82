"""notes plugin: create note table

Revision ID: n001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "n001"
down_revision = None
branch_labels = ("notes",)
depends_on = "0001"


def upgrade() -> None:
    op.create_table(
        "notes_note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("product_id", sa.Integer(), sa.ForeignKey("product.id"), nullable=False),
        sa.Column("text", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("notes_note")
