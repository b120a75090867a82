"""events plugin: what one seat of an event costs the shop (front matter ``cost``)

Revision ID: e002
Revises: e001
"""
import sqlalchemy as sa
from alembic import op

revision = "e002"
down_revision = "e001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events_event") as table:
        table.add_column(sa.Column("seat_cost", sa.Integer(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("events_event") as table:
        table.drop_column("seat_cost")
