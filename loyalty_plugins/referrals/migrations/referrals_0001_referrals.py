"""referrals plugin: codes, referrals, refused code entries, rewards per referrer and month

Revision ID: referrals_0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "referrals_0001"
down_revision = None
branch_labels = ("referrals",)
depends_on = "0001"


def user(name: str, table: str, **kwargs) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(
        "user_account.id", ondelete="CASCADE", name=f"fk_{table}_{name}"), **kwargs)


def upgrade() -> None:
    op.create_table(
        "referrals_code",
        user("user_id", "referrals_code", primary_key=True),
        sa.Column("code", sa.String(16), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "referrals_referral",
        sa.Column("id", sa.Integer(), primary_key=True),
        user("referee_id", "referrals_referral", nullable=False, unique=True),
        user("referrer_id", "referrals_referral", nullable=False, index=True),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("state", sa.String(12), nullable=False, index=True),
        sa.Column("block", sa.String(24), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True, index=True),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("settled_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "referrals_refusal",
        sa.Column("id", sa.Integer(), primary_key=True),
        user("referee_id", "referrals_refusal", nullable=False, index=True),
        user("referrer_id", "referrals_refusal", nullable=False, index=True),
        sa.Column("block", sa.String(24), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "referrals_quota",
        user("referrer_id", "referrals_quota", primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("rewarded", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    for table in ("referrals_quota", "referrals_refusal", "referrals_referral",
                  "referrals_code"):
        op.drop_table(table)
