"""registration by e-mail link: the pending_registration table

Revision ID: 0012
Revises: 0011

A registration waits here until the link mailed to its address is opened; only then is
the account created. Accounts that exist are not touched.
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("next_url", sa.String(length=500), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_registration")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_pending_registration_token_hash")),
    )
    with op.batch_alter_table("pending_registration", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_registration_email"), ["email"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_pending_registration_expires_at"), ["expires_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pending_registration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_registration_expires_at"))
        batch_op.drop_index(batch_op.f("ix_pending_registration_email"))
    op.drop_table("pending_registration")
