"""cost prices: a product's cost (content/products front matter), the unit cost each order
line kept when it was placed or imported, and each order's cost of goods

Revision ID: 0021
Revises: 0020
"""
import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cost", sa.Integer(), nullable=True))
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit_cost", sa.Integer(), nullable=True))
    with op.batch_alter_table("shop_order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cost_total", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("uncosted_lines", sa.Integer(), nullable=False,
                                      server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("shop_order", schema=None) as batch_op:
        batch_op.drop_column("uncosted_lines")
        batch_op.drop_column("cost_total")
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.drop_column("unit_cost")
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_column("cost")
