"""tiers plugin: member tiers and their history

Revision ID: t001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "t001"
down_revision = None
branch_labels = ("tiers",)
depends_on = "0001"


def upgrade() -> None:
    op.create_table(
        "tiers_member",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user_account.id", ondelete="CASCADE",
                                                         name="fk_tiers_member_user_id"),
                  primary_key=True),
        sa.Column("tier_code", sa.String(64), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.Column("below_since", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "tiers_change",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user_account.id", ondelete="CASCADE",
                                                         name="fk_tiers_change_user_id"),
                  nullable=False, index=True),
        sa.Column("from_code", sa.String(64), nullable=False),
        sa.Column("to_code", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("tiers_change")
    op.drop_table("tiers_member")
