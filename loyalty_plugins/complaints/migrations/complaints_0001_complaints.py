"""complaints plugin: complaints and claims, their thread, attachments, goodwill

Revision ID: complaints_0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "complaints_0001"
down_revision = None
branch_labels = ("complaints",)
depends_on = "0001"


def _user(column: str, table: str) -> sa.Column:
    return sa.Column(column, sa.Integer(),
                     sa.ForeignKey("user_account.id", ondelete="SET NULL",
                                   name=f"fk_{table}_{column}_user_account"), nullable=True)


def _complaint(table: str) -> sa.Column:
    return sa.Column("complaint_id", sa.Integer(),
                     sa.ForeignKey("complaints_complaint.id", ondelete="CASCADE",
                                   name=f"fk_{table}_complaint_id"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "complaints_complaint",
        sa.Column("id", sa.Integer(), primary_key=True),
        _user("user_id", "complaints_complaint"),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("origin", sa.String(12), nullable=False),
        sa.Column("filer", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("about", sa.String(200), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        _user("assignee_id", "complaints_complaint"),
        sa.Column("source_key", sa.String(120), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("first_reply_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("first_reply_due", sa.DateTime(), nullable=False),
        sa.Column("resolution_due", sa.DateTime(), nullable=False),
        sa.Column("satisfied", sa.Boolean(), nullable=True),
        sa.Column("rated_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("source_key", name="uq_complaints_complaint_source_key"),
    )
    op.create_index("ix_complaints_complaint_user_id", "complaints_complaint", ["user_id"])
    op.create_index("ix_complaints_complaint_order_id", "complaints_complaint", ["order_id"])
    op.create_index("ix_complaints_complaint_status_created", "complaints_complaint",
                    ["status", "created_at"])
    op.create_index("ix_complaints_complaint_filer_created", "complaints_complaint",
                    ["filer", "created_at"])
    op.create_table(
        "complaints_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        _complaint("complaints_entry"),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_complaints_entry_complaint_id", "complaints_entry", ["complaint_id"])
    op.create_table(
        "complaints_attachment",
        sa.Column("id", sa.Integer(), primary_key=True),
        _complaint("complaints_attachment"),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("stored", sa.String(80), nullable=False),
        sa.Column("media_type", sa.String(40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_complaints_attachment_complaint_id", "complaints_attachment",
                    ["complaint_id"])
    op.create_table(
        "complaints_compensation",
        sa.Column("id", sa.Integer(), primary_key=True),
        _complaint("complaints_compensation"),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("proposed_by", sa.String(200), nullable=False),
        sa.Column("proposed_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_complaints_compensation_complaint_id", "complaints_compensation",
                    ["complaint_id"])
    op.create_table(
        "complaints_filer",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("last_at", sa.DateTime(), nullable=True),
        sa.Column("misses", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("missed_since", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "complaints_digest",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    for table in ("complaints_digest", "complaints_filer", "complaints_compensation",
                  "complaints_attachment", "complaints_entry", "complaints_complaint"):
        op.drop_table(table)
