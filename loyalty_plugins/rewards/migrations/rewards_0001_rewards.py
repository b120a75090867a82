"""rewards plugin: the rewards given to members

Revision ID: rewards_0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "rewards_0001"
down_revision = None
branch_labels = ("rewards",)
depends_on = "0001"


def upgrade() -> None:
    op.create_table(
        "rewards_reward",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("user_id", sa.Integer(),
                  sa.ForeignKey("user_account.id", ondelete="CASCADE",
                                name="fk_rewards_reward_user_id_user_account"), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("label_args", sa.JSON(), nullable=False),
        sa.Column("percent", sa.Numeric(5, 2), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("until", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("key", name="uq_rewards_reward_key"),
    )
    op.create_index("ix_rewards_reward_user_id", "rewards_reward", ["user_id"])
    op.create_index("ix_rewards_reward_order_id", "rewards_reward", ["order_id"])


def downgrade() -> None:
    op.drop_table("rewards_reward")
