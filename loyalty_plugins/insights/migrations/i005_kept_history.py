"""insights plugin: each customer's purchases in sums and each order's gap to the one before,
kept up to date from the order events (filled by the next refresh)

Revision ID: i005
Revises: i004
"""
import sqlalchemy as sa
from alembic import op

revision = "i005"
down_revision = "i004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "insights_history",
        sa.Column("customer", sa.String(254), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.Column("net", sa.BigInteger(), nullable=False),
        sa.Column("transfer_orders", sa.Integer(), nullable=False),
        sa.Column("known_payment_orders", sa.Integer(), nullable=False),
        sa.Column("refunded_orders", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("customer", name="pk_insights_history"),
    )
    op.create_table(
        "insights_purchase",
        sa.Column("order_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("customer", sa.String(254), nullable=False),
        sa.Column("placed_at", sa.DateTime(), nullable=False),
        sa.Column("previous_at", sa.DateTime(), nullable=True),
        sa.Column("gap_days", sa.Float(), nullable=True),
        sa.Column("later", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name="pk_insights_purchase"),
    )
    op.create_index("ix_insights_purchase_customer", "insights_purchase", ["customer"])
    op.create_index("ix_insights_purchase_placed", "insights_purchase",
                    ["placed_at", "previous_at", "later", "gap_days"])


def downgrade() -> None:
    op.drop_table("insights_purchase")
    op.drop_table("insights_history")
