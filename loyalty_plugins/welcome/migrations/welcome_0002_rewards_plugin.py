"""welcome plugin: a welcome reward is kept by the rewards plugin

The rewards given before move to rewards_reward with their status and order, under the key
welcome:<user_id>; the welcome table keeps what was given.

Revision ID: welcome_0002
Revises: welcome_0001
"""
import sqlalchemy as sa
from alembic import op

revision = "welcome_0002"
down_revision = "welcome_0001"
branch_labels = None
depends_on = "rewards_0001"


def upgrade() -> None:
    op.execute(sa.text(
        "INSERT INTO rewards_reward (key, user_id, label, label_args, percent, amount, until,"
        " status, order_id, granted_at)"
        " SELECT 'welcome:' || user_id, user_id, 'Welcome gift', '{}', reward_percent,"
        " reward_amount, reward_until, reward_status, reward_order_id, created_at"
        " FROM welcome_member WHERE gift = 'reward' AND reward_until IS NOT NULL"))
    with op.batch_alter_table("welcome_member") as batch:
        batch.drop_index("ix_welcome_member_reward_order_id")
        batch.drop_column("reward_order_id")
        batch.drop_column("reward_status")


def downgrade() -> None:
    with op.batch_alter_table("welcome_member") as batch:
        batch.add_column(sa.Column("reward_status", sa.String(12), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("reward_order_id", sa.Integer(), nullable=True))
        batch.create_index("ix_welcome_member_reward_order_id", ["reward_order_id"])
    op.execute(sa.text(
        "UPDATE welcome_member SET reward_status = (SELECT status FROM rewards_reward"
        " WHERE key = 'welcome:' || welcome_member.user_id),"
        " reward_order_id = (SELECT order_id FROM rewards_reward"
        " WHERE key = 'welcome:' || welcome_member.user_id) WHERE gift = 'reward'"))
    op.execute(sa.text("DELETE FROM rewards_reward WHERE key LIKE 'welcome:%'"))
