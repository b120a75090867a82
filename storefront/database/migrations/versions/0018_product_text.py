"""a product's words in other languages (content/products/<name>.<language>.md)

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "product_text",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=True),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("image_alt", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], ondelete="CASCADE",
                                name=op.f("fk_product_text_product_id_product")),
        sa.PrimaryKeyConstraint("product_id", "language", name=op.f("pk_product_text")),
    )


def downgrade() -> None:
    op.drop_table("product_text")
