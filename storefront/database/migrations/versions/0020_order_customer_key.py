"""each order's customer key (its e-mail address in lower case), with the index that figures
over the whole history read

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

HISTORY_INDEX = ("customer", "created_at", "id", "status", "total", "refunded_total",
                 "user_id", "payment_provider", "discount_total", "shipping")


def upgrade() -> None:
    with op.batch_alter_table("shop_order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customer", sa.String(length=254), nullable=True))
    op.execute("UPDATE shop_order SET customer = lower(trim(email))")
    with op.batch_alter_table("shop_order", schema=None) as batch_op:
        batch_op.alter_column("customer", existing_type=sa.String(length=254), nullable=False)
    op.create_index("ix_shop_order_customer_history", "shop_order", list(HISTORY_INDEX))


def downgrade() -> None:
    op.drop_index("ix_shop_order_customer_history", table_name="shop_order")
    with op.batch_alter_table("shop_order", schema=None) as batch_op:
        batch_op.drop_column("customer")
