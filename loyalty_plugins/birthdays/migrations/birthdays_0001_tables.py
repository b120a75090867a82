"""birthdays plugin: birthdays, their changes, the greetings sent

Revision ID: birthdays_0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "birthdays_0001"
down_revision = None
branch_labels = ("birthdays",)
depends_on = "0001"


def _member(name: str, **extra) -> sa.Column:
    return sa.Column("user_id", sa.Integer(),
                     sa.ForeignKey("user_account.id", ondelete="CASCADE", name=name),
                     nullable=False, **extra)


def upgrade() -> None:
    op.create_table(
        "birthdays_birthday",
        _member("fk_birthdays_birthday_user_id", primary_key=True),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False, index=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "birthdays_change",
        sa.Column("id", sa.Integer(), primary_key=True),
        _member("fk_birthdays_change_user_id", index=True),
        sa.Column("old_value", sa.String(10), nullable=False),
        sa.Column("new_value", sa.String(10), nullable=False),
        sa.Column("changed_by", sa.String(254), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "birthdays_greeting",
        sa.Column("id", sa.Integer(), primary_key=True),
        _member("fk_birthdays_greeting_user_id"),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("occasion", sa.Date(), nullable=False, index=True),
        sa.Column("gift", sa.String(12), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reward_key", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("user_id", "kind", "year", name="uq_birthdays_greeting_once"),
    )


def downgrade() -> None:
    op.drop_table("birthdays_greeting")
    op.drop_table("birthdays_change")
    op.drop_table("birthdays_birthday")
