"""insights plugin: each customer's band of purchase frequency, spend and payment behaviour

Revision ID: i002
Revises: i001
"""
import sqlalchemy as sa
from alembic import op

revision = "i002"
down_revision = "i001"
branch_labels = None
depends_on = None

BANDS = (("frequency_band", "once"), ("volume_band", "low"), ("payment_band", "unknown"))


def upgrade() -> None:
    with op.batch_alter_table("insights_customer") as table:
        for name, default in BANDS:
            table.add_column(sa.Column(name, sa.String(16), nullable=False,
                                       server_default=default))


def downgrade() -> None:
    with op.batch_alter_table("insights_customer") as table:
        for name, _default in BANDS:
            table.drop_column(name)
