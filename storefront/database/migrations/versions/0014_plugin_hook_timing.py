"""plugin hook timings: how long each plugin takes in each hook, per process and hour

Revision ID: 0014
Revises: 0013

Each process writes its own rows (``storefront.plugins.timing``); Admin -> Plugins merges
the last 24 hours into p50 and p99 per plugin and hook. Rows older than 8 days are deleted
as new ones are written.
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plugin_hook_timing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process", sa.String(length=128), nullable=False),
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("plugin", sa.String(length=64), nullable=False),
        sa.Column("hook", sa.String(length=128), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("slowest_ms", sa.Float(), nullable=False),
        sa.Column("buckets", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plugin_hook_timing")),
        sa.UniqueConstraint("process", "hour", "plugin", "hook",
                            name=op.f("uq_plugin_hook_timing_process")),
    )
    op.create_index(op.f("ix_plugin_hook_timing_hour"), "plugin_hook_timing", ["hour"])


def downgrade() -> None:
    op.drop_index(op.f("ix_plugin_hook_timing_hour"), table_name="plugin_hook_timing")
    op.drop_table("plugin_hook_timing")
