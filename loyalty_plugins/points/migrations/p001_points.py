"""points plugin: accounts, lots, entries

Revision ID: p001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "p001"
down_revision = None
branch_labels = ("points",)
depends_on = "0001"


def upgrade() -> None:
    op.create_table(
        "points_account",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user_account.id", ondelete="CASCADE",
                                                         name="fk_points_account_user_id"),
                  primary_key=True),
        sa.Column("available", sa.Integer(), nullable=False),
        sa.Column("pending", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("available >= 0", name="ck_points_account_available"),
        sa.CheckConstraint("pending >= 0", name="ck_points_account_pending"),
        sa.CheckConstraint("reserved >= 0", name="ck_points_account_reserved"),
    )
    op.create_table(
        "points_lot",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user_account.id", ondelete="CASCADE",
                                                         name="fk_points_lot_user_id"),
                  nullable=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("available_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("notice_sent_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("remaining >= 0", name="ck_points_lot_remaining"),
    )
    for column in ("user_id", "email", "order_id", "state", "expires_at"):
        op.create_index(f"ix_points_lot_{column}", "points_lot", [column])
    op.create_table(
        "points_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user_account.id", ondelete="CASCADE",
                                                         name="fk_points_entry_user_id"),
                  nullable=False),
        sa.Column("lot_id", sa.Integer(), sa.ForeignKey("points_lot.id",
                                                        name="fk_points_entry_lot_id"),
                  nullable=True),
        sa.Column("bucket", sa.String(10), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(120), nullable=True, unique=True),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    for column in ("user_id", "order_id", "created_at"):
        op.create_index(f"ix_points_entry_{column}", "points_entry", [column])
    op.create_table(
        "points_reversal",
        sa.Column("refund_id", sa.String(128), primary_key=True),
        sa.Column("order_id", sa.Integer(), nullable=False, index=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("due", sa.Integer(), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.Column("forgiven", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("points_reversal")
    op.drop_table("points_entry")
    op.drop_table("points_lot")
    op.drop_table("points_account")
