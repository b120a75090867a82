"""product listings read in title order

Revision ID: 0007
Revises: 0006
"""
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_product_title", "product", ["title"])
    op.create_index("ix_product_category_title", "product", ["category", "title"])


def downgrade() -> None:
    op.drop_index("ix_product_category_title", table_name="product")
    op.drop_index("ix_product_title", table_name="product")
