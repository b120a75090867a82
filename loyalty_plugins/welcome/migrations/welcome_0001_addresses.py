"""welcome plugin: the addresses welcomed, and what each account got

Revision ID: welcome_0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "welcome_0001"
down_revision = None
branch_labels = ("welcome",)
depends_on = "0001"


def upgrade() -> None:
    op.create_table(
        "welcome_address",
        sa.Column("address_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("welcomed_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "welcome_member",
        sa.Column("user_id", sa.Integer(),
                  sa.ForeignKey("user_account.id", ondelete="CASCADE",
                                name="fk_welcome_member_user_id"), primary_key=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("gift", sa.String(16), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reward_percent", sa.Numeric(5, 2), nullable=True),
        sa.Column("reward_amount", sa.Integer(), nullable=True),
        sa.Column("reward_until", sa.DateTime(), nullable=True),
        sa.Column("reward_status", sa.String(12), nullable=False),
        sa.Column("reward_order_id", sa.Integer(), nullable=True, index=True),
        sa.Column("note", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("welcome_member")
    op.drop_table("welcome_address")
