"""points plugin: staff adjustments on record, those above the limit waiting for approval

Revision ID: p003
Revises: p002

Every staff correction of a member's points gets a row: applied at once when at or under the
``approval_above`` setting, else pending until a manager or the owner (neither the one who
asked nor the member) approves or rejects it.
"""
import sqlalchemy as sa
from alembic import op

revision = "p003"
down_revision = "p002"
branch_labels = None
depends_on = None


def _user(name: str, ondelete: str) -> sa.ForeignKey:
    return sa.ForeignKey("user_account.id", ondelete=ondelete,
                         name=f"fk_points_adjustment_{name}")


def upgrade() -> None:
    op.create_table(
        "points_adjustment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), _user("user_id", "CASCADE"), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("requester_id", sa.Integer(), _user("requester_id", "SET NULL"),
                  nullable=True),
        sa.Column("requester", sa.String(254), nullable=False),
        sa.Column("decider_id", sa.Integer(), _user("decider_id", "SET NULL"), nullable=True),
        sa.Column("decider", sa.String(254), nullable=False),
        sa.Column("decision_note", sa.String(300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'applied', 'rejected')",
                           name="ck_points_adjustment_status"),
        sa.CheckConstraint("points <> 0", name="ck_points_adjustment_points"),
    )
    op.create_index("ix_points_adjustment_user_id", "points_adjustment", ["user_id"])
    op.create_index("ix_points_adjustment_status_id", "points_adjustment", ["status", "id"])


def downgrade() -> None:
    op.drop_table("points_adjustment")
