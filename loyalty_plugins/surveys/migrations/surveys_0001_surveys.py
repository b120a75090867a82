"""surveys plugin: surveys, the products of surveyed orders, answers and SERVQUAL scores

Revision ID: surveys_0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "surveys_0001"
down_revision = None
branch_labels = ("surveys",)
depends_on = "0001"


def upgrade() -> None:
    op.create_table(
        "surveys_survey",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("subject", sa.String(60), nullable=False, unique=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("user_id", sa.Integer(),
                  sa.ForeignKey("user_account.id", ondelete="CASCADE",
                                name="fk_surveys_survey_user_id"), nullable=False, index=True),
        sa.Column("order_id", sa.Integer(), nullable=True, index=True),
        sa.Column("order_number", sa.String(40), nullable=False),
        sa.Column("event_slug", sa.String(100), nullable=False, index=True),
        sa.Column("event_title", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("invited_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_surveys_survey_due", "surveys_survey", ["invited_at", "due_at"])
    op.create_table(
        "surveys_product",
        sa.Column("survey_id", sa.Integer(),
                  sa.ForeignKey("surveys_survey.id", ondelete="CASCADE",
                                name="fk_surveys_product_survey_id"), primary_key=True),
        sa.Column("sku", sa.String(64), primary_key=True, index=True),
        sa.Column("title", sa.String(200), nullable=False),
    )
    op.create_table(
        "surveys_answer",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("survey_id", sa.Integer(),
                  sa.ForeignKey("surveys_survey.id", ondelete="CASCADE",
                                name="fk_surveys_answer_survey_id"), nullable=False,
                  unique=True),
        sa.Column("user_id", sa.Integer(), nullable=False, index=True),
        sa.Column("nps", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("delivery", sa.Integer(), nullable=True),
        sa.Column("product", sa.Integer(), nullable=True),
        sa.Column("service", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False, index=True),
    )
    op.create_table(
        "surveys_servqual",
        sa.Column("answer_id", sa.Integer(),
                  sa.ForeignKey("surveys_answer.id", ondelete="CASCADE",
                                name="fk_surveys_servqual_answer_id"), primary_key=True),
        sa.Column("dimension", sa.String(16), primary_key=True),
        sa.Column("expectation", sa.Integer(), nullable=False),
        sa.Column("perception", sa.Integer(), nullable=False),
        sa.Column("expectation_item", sa.Text(), nullable=False),
        sa.Column("perception_item", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("surveys_servqual")
    op.drop_table("surveys_answer")
    op.drop_table("surveys_product")
    op.drop_index("ix_surveys_survey_due", "surveys_survey")
    op.drop_table("surveys_survey")
