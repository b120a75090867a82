"""points plugin: indexes for the account and history pages of members with long ledgers

Revision ID: p002
Revises: p001
"""
from alembic import op

revision = "p002"
down_revision = "p001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_points_lot_user_state_expires", "points_lot",
                    ["user_id", "state", "expires_at"])
    op.create_index("ix_points_entry_user_id_id", "points_entry", ["user_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_points_entry_user_id_id", table_name="points_entry")
    op.drop_index("ix_points_lot_user_state_expires", table_name="points_lot")
