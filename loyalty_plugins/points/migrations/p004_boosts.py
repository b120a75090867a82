"""points plugin: a member's points multiplied for a while (a win-back offer)

Revision ID: p004
Revises: p003
"""
import sqlalchemy as sa
from alembic import op

revision = "p004"
down_revision = "p003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "points_boost",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("user_id", sa.Integer(),
                  sa.ForeignKey("user_account.id", ondelete="CASCADE",
                                name="fk_points_boost_user_id_user_account"), nullable=False),
        sa.Column("multiplier", sa.Numeric(4, 2), nullable=False),
        sa.Column("until", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("key", name="uq_points_boost_key"),
    )
    op.create_index("ix_points_boost_user_until", "points_boost", ["user_id", "until"])


def downgrade() -> None:
    op.drop_table("points_boost")
