"""statements plugin: the statement each member got for each month

Revision ID: statements_0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "statements_0001"
down_revision = None
branch_labels = ("statements",)
depends_on = "0001"


def upgrade() -> None:
    op.create_table(
        "statements_sent",
        sa.Column("user_id", sa.Integer(),
                  sa.ForeignKey("user_account.id", ondelete="CASCADE",
                                name="fk_statements_sent_user_id"), primary_key=True),
        sa.Column("month", sa.Date(), primary_key=True),
        sa.Column("outcome", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("statements_sent")
