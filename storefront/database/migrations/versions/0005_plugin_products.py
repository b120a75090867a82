"""products sold by plugins (event tickets)

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plugin", sa.String(length=64), server_default="",
                                      nullable=False))
        batch_op.add_column(sa.Column("link", sa.String(length=300), server_default="",
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_column("link")
        batch_op.drop_column("plugin")
