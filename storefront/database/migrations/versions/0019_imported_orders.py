"""orders imported as history: their reference in the shop they came from; lines whose SKU
the catalogue does not sell

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shop_order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_ref", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_shop_order_external_ref"),
                                          ["external_ref"])
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.alter_column("product_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.alter_column("product_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("shop_order", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_shop_order_external_ref"), type_="unique")
        batch_op.drop_column("external_ref")
