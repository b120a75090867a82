"""events plugin: events and registrations

Revision ID: e001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "e001"
down_revision = None
branch_labels = ("events",)
depends_on = "0001"


def upgrade() -> None:
    op.create_table(
        "events_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(100), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("seats_taken", sa.Integer(), nullable=False),
        sa.Column("waitlist_seq", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("invited_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("seats_taken >= 0", name="ck_events_event_seats_not_negative"),
    )
    op.create_table(
        "events_registration",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(),
                  sa.ForeignKey("events_event.id", ondelete="CASCADE",
                                name="fk_events_registration_event_id"), nullable=False),
        sa.Column("user_id", sa.Integer(),
                  sa.ForeignKey("user_account.id", ondelete="CASCADE",
                                name="fk_events_registration_user_id"),
                  nullable=False, index=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("guests", sa.Integer(), nullable=False),
        sa.Column("waitlist_position", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("order_id", sa.Integer(), nullable=True, index=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(), nullable=True),
        sa.Column("checked_in_by", sa.String(254), nullable=False),
        sa.UniqueConstraint("event_id", "user_id", name="uq_events_registration_member"),
    )
    op.create_index("ix_events_registration_waitlist", "events_registration",
                    ["event_id", "status", "waitlist_position"])


def downgrade() -> None:
    op.drop_table("events_registration")
    op.drop_table("events_event")
