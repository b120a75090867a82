"""unpaid orders expire: an index for the job that looks for them

Revision ID: 0013
Revises: 0012

The job core:expire-unpaid-orders looks every five minutes for orders awaiting payment
since before a cutoff (UNPAID_ORDER_HOURS); the index on (status, created_at) lets it read
only those instead of every old order.
"""
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shop_order", schema=None) as batch_op:
        batch_op.create_index("ix_shop_order_status_created_at", ["status", "created_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("shop_order", schema=None) as batch_op:
        batch_op.drop_index("ix_shop_order_status_created_at")
