"""card disputes (chargebacks) on orders

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dispute",
        sa.Column("provider_ref", sa.String(length=128), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("phase", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["shop_order.id"],
                                name=op.f("fk_dispute_order_id_shop_order")),
        sa.PrimaryKeyConstraint("provider_ref", name=op.f("pk_dispute")),
    )
    op.create_index(op.f("ix_dispute_order_id"), "dispute", ["order_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_dispute_order_id"), table_name="dispute")
    op.drop_table("dispute")
