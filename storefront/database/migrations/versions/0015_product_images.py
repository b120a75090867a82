"""product pictures: alt text and the size of the largest copy

Revision ID: 0015
Revises: 0014

``image`` now holds the base of a picture's WebP copies made from content/ (or, as before,
an address used as it is); the next `storefront content sync` or `storefront build` fills
these columns for every product from its file.
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.add_column(sa.Column("image_alt", sa.String(length=300), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("image_width", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("image_height", sa.Integer(), nullable=False,
                                      server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_column("image_height")
        batch_op.drop_column("image_width")
        batch_op.drop_column("image_alt")
