"""community plugin: comments, reports, posters

Revision ID: cm001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "cm001"
down_revision = None
branch_labels = ("community",)
depends_on = "0001"


def _user(name: str) -> sa.Column:
    return sa.Column("user_id", sa.Integer(),
                     sa.ForeignKey("user_account.id", ondelete="CASCADE", name=name),
                     nullable=False)


def upgrade() -> None:
    op.create_table(
        "community_comment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("article", sa.String(200), nullable=False, index=True),
        _user("fk_community_comment_user_id"),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("edited_at", sa.DateTime(), nullable=True),
        sa.Column("moderated_by", sa.String(254), nullable=False),
        sa.Column("moderated_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_community_comment_user_created", "community_comment",
                    ["user_id", "created_at"])
    op.create_table(
        "community_report",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("comment_id", sa.Integer(),
                  sa.ForeignKey("community_comment.id", ondelete="CASCADE",
                                name="fk_community_report_comment_id"),
                  nullable=False, index=True),
        _user("fk_community_report_user_id"),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("comment_id", "user_id", name="uq_community_report_once"),
    )
    op.create_table(
        "community_poster",
        sa.Column("user_id", sa.Integer(),
                  sa.ForeignKey("user_account.id", ondelete="CASCADE",
                                name="fk_community_poster_user_id"),
                  primary_key=True),
        sa.Column("last_posted_at", sa.DateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("community_poster")
    op.drop_table("community_report")
    op.drop_index("ix_community_comment_user_created", table_name="community_comment")
    op.drop_table("community_comment")
