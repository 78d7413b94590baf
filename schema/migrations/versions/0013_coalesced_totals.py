"""coalesced totals: points whose counters moved since the last announcement, and when it was made

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # False for every existing point: their totals were announced with each check-in before this revision.
    op.add_column('point', sa.Column('totals_dirty', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('conference', sa.Column('totals_announced_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conference', schema=None) as batch_op:
        batch_op.drop_column('totals_announced_at')
    with op.batch_alter_table('point', schema=None) as batch_op:
        batch_op.drop_column('totals_dirty')
