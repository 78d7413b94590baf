"""display mode: what the chair has put on the big screen, kept so that a display opened later shows it too

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Null for every existing conference: its screens showed the agenda, which is what null means.
    op.add_column('conference', sa.Column('display', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conference', schema=None) as batch_op:
        batch_op.drop_column('display')
