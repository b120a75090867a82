"""message kinds: the kinds of message plugins declare, which members stop one by one

Revision ID: 0022
Revises: 0021
"""
import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(16), type_=sa.String(64),
                              existing_nullable=False)
    op.create_table(
        "message_opt_out",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE",
                                name="fk_message_opt_out_user_id_user_account"),
        sa.PrimaryKeyConstraint("user_id", "kind", name="pk_message_opt_out"),
    )


def downgrade() -> None:
    op.drop_table("message_opt_out")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(64), type_=sa.String(16),
                              existing_nullable=False)
