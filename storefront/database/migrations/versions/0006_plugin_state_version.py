"""plugin state version: a counter bumped with every plugin_state change

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    version = op.create_table('plugin_state_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plugin_state_version'))
    )
    op.bulk_insert(version, [{'id': 1, 'version': 1}])


def downgrade() -> None:
    op.drop_table('plugin_state_version')
