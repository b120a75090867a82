"""insights plugin: an offer (a reward off one order, or points multiplied) with a segment
message, and who opened its page

Revision ID: i004
Revises: i003
"""
import sqlalchemy as sa
from alembic import op

revision = "i004"
down_revision = "i003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("insights_message") as batch:
        batch.add_column(sa.Column("offer", sa.String(8), nullable=False, server_default=""))
        batch.add_column(sa.Column("offer_percent", sa.Numeric(5, 2), nullable=True))
        batch.add_column(sa.Column("offer_amount", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("offer_multiplier", sa.Numeric(4, 2), nullable=True))
        batch.add_column(sa.Column("offer_days", sa.Integer(), nullable=False,
                                   server_default="0"))
    with op.batch_alter_table("insights_message") as batch:
        batch.alter_column("offer", server_default=None)
        batch.alter_column("offer_days", server_default=None)
    op.create_table(
        "insights_offer_open",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["insights_message.id"], ondelete="CASCADE",
                                name="fk_insights_offer_open_message_id_insights_message"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE",
                                name="fk_insights_offer_open_user_id_user_account"),
        sa.PrimaryKeyConstraint("message_id", "user_id", name="pk_insights_offer_open"),
    )


def downgrade() -> None:
    op.drop_table("insights_offer_open")
    with op.batch_alter_table("insights_message") as batch:
        batch.drop_column("offer_days")
        batch.drop_column("offer_multiplier")
        batch.drop_column("offer_amount")
        batch.drop_column("offer_percent")
        batch.drop_column("offer")
