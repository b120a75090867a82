"""insights plugin: each customer's figures and the shop's of the last refresh

Revision ID: i001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "i001"
down_revision = None
branch_labels = ("insights",)
depends_on = "0001"


def upgrade() -> None:
    op.create_table(
        "insights_customer",
        sa.Column("customer", sa.String(254), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=True, index=True),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("net", sa.Integer(), nullable=False),
        sa.Column("days_since", sa.Integer(), nullable=False),
        sa.Column("recency", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.Column("monetary", sa.Integer(), nullable=False),
        sa.Column("segment", sa.String(32), nullable=False),
        sa.Column("probability_active", sa.Float(), nullable=True),
        sa.Column("expected_orders", sa.Float(), nullable=True),
        sa.Column("expected_value", sa.Integer(), nullable=True),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_insights_customer_segment", "insights_customer", ["segment"])
    op.create_table(
        "insights_summary",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("repeat_customers", sa.Integer(), nullable=False),
        sa.Column("loyal_customers", sa.Integer(), nullable=False),
        sa.Column("loyal_min_orders", sa.Integer(), nullable=False),
        sa.Column("gaps", sa.Integer(), nullable=False),
        sa.Column("mean_days", sa.Float(), nullable=True),
        sa.Column("median_days", sa.Float(), nullable=True),
        sa.Column("churn_customers", sa.Integer(), nullable=False),
        sa.Column("churned", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("insights_summary")
    op.drop_table("insights_customer")
