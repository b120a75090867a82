"""cards plugin: member cards

Revision ID: c001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "c001"
down_revision = None
branch_labels = ("cards",)
depends_on = "0001"


def upgrade() -> None:
    op.create_table(
        "cards_card",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user_account.id", ondelete="CASCADE",
                                                         name="fk_cards_card_user_id"),
                  nullable=False, index=True),
        sa.Column("type_code", sa.String(64), nullable=False),
        sa.Column("number", sa.String(16), nullable=False, unique=True),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("valid_until", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(254), nullable=False),
        sa.Column("issued_by", sa.String(254), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("cards_card")
